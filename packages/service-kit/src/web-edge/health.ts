/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers), the
 * same routes and answers in every HTTP service, for the orchestrator's probes and the proxy.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface HealthOptions {
  /** Resolves when the database answers (e.g. `database.ping`). */
  ping: () => Promise<unknown>;
}

const Status = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
} as const;

export const healthRoutes = fp(
  async (app: FastifyInstance, options: HealthOptions) => {
    const schema = { hide: true, response: { 200: Status, 503: Status } };
    app.get('/healthz', { schema }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema }, async (request, reply) => {
      try {
        await options.ping();
        return { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed: database');
        return reply.code(503).send({ status: 'database unavailable' });
      }
    });
  },
  { name: 'murmur-health' },
);
