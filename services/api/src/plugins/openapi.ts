/**
 * OpenAPI generated from the route schemas: the document at `/api/openapi.json` and a browsing page
 * at `/api/docs`. Register before the routes, so it sees them all.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

export const openApi = fp(
  async (app: ApiInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: `${app.config.INSTANCE_TITLE} API`,
          description: 'A Mastodon-compatible client API and its OAuth 2.0 authorization server.',
          version: '0.1.0',
        },
        servers: [{ url: app.config.publicOrigin }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false });
    app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () =>
      app.swagger(),
    );
  },
  { name: 'murmur-openapi' },
);
