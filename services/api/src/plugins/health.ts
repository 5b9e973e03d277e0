/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers). */
import { Type } from 'typebox';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

const Status = Type.Object({ status: Type.String() });

export const health = fp(
  async (app: ApiInstance) => {
    const schema = { hide: true, response: { 200: Status, 503: Status } };
    app.get('/healthz', { schema }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema }, async (request, reply) => {
      try {
        await app.database.ping();
        return { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed: database');
        return reply.code(503).send({ status: 'database unavailable' });
      }
    });
  },
  { name: 'murmur-health' },
);
