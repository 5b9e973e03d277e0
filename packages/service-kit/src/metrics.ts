/**
 * Prometheus metrics shared by every service: a registry with the default process metrics (CPU,
 * memory, event-loop lag, GC, handles) labelled with the service name, and a Fastify plugin that
 * records how long each request took and serves `GET /metrics` in the Prometheus text format.
 *
 * Requests are labelled by method, route pattern and status code. The route label is the pattern
 * the request matched (`/api/v1/statuses/:id`), never the raw URL, so the number of series stays
 * bounded whatever clients send; requests that match no route share the label `(unmatched)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Added as the `service` label of every series. */
  service: string;
  /** Collect process metrics (default true; tests that build many apps may turn it off). */
  defaultMetrics?: boolean;
}

/** A fresh registry (one per app, so apps built side by side in tests do not share series). */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Request durations in seconds: from a few milliseconds up to a slow 10 s. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of requests that matched no route (404s, probes of random paths). */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface HttpMetricsOptions {
  registry: Registry;
  /** Where the metrics are served (default `/metrics`). */
  path?: string;
  /**
   * Whether this request may read the metrics; others get a 404. A service reached through the
   * public proxy refuses forwarded requests (see {@link notForwarded}), so only scrapers that reach
   * its port directly see them.
   */
  allow?: (request: FastifyRequest) => boolean;
}

/** True when no proxy forwarded the request (scrapers call the service's own port directly). */
export function notForwarded(request: FastifyRequest): boolean {
  return (
    request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined
  );
}

/**
 * Registers the request-duration histogram `http_request_duration_seconds{method,route,status_code}`
 * and the `/metrics` route. Register it before the routes it should measure.
 */
export const httpMetrics = fp(
  async (app: FastifyInstance, options: HttpMetricsOptions) => {
    const { registry } = options;
    const path = options.path ?? '/metrics';
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      duration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    // `hide` keeps the route out of OpenAPI documents (@fastify/swagger) where there are some.
    const schema: Record<string, unknown> = { hide: true };
    app.get(path, { schema, logLevel: 'warn' }, async (request, reply) => {
      if (options.allow && !options.allow(request)) return reply.callNotFound();
      const body = await registry.metrics();
      return reply.type(registry.contentType).header('cache-control', 'no-store').send(body);
    });
  },
  { name: 'murmur-http-metrics', fastify: '5.x' },
);
