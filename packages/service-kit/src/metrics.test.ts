import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, httpMetrics, notForwarded } from './metrics.js';

describe('httpMetrics', () => {
  it('serves Prometheus text with request durations labelled by route pattern, not raw URL', async () => {
    const registry = createMetricsRegistry({ service: 'test' });
    const app = Fastify();
    await app.register(httpMetrics, { registry });
    app.get('/things/:id', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/things/1' });
    await app.inject({ method: 'GET', url: '/things/2?x=y' });
    await app.inject({ method: 'GET', url: '/nowhere/at/all' });

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = response.body;
    expect(body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(body).toMatch(
      /http_request_duration_seconds_count\{service="test",method="GET",route="\/things\/:id",status_code="200"\} 2/,
    );
    expect(body).toContain('route="(unmatched)",status_code="404"');
    expect(body).not.toContain('/things/1');
    expect(body).not.toContain('/nowhere');
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    await app.close();
  });

  it('reports the Node.js 24 runtime the workspace pins (a run on the machine’s older Node fails here)', async () => {
    const app = Fastify();
    await app.register(httpMetrics, { registry: createMetricsRegistry({ service: 'test' }) });
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/nodejs_version_info\{[^}]*version="v24\.\d+\.\d+"[^}]*\} 1/);
    await app.close();
  });

  it('answers 404 to requests the allow check refuses (forwarded by the public proxy)', async () => {
    const app = Fastify();
    await app.register(httpMetrics, {
      registry: createMetricsRegistry({ service: 'test', defaultMetrics: false }),
      allow: notForwarded,
    });
    const direct = await app.inject({ method: 'GET', url: '/metrics' });
    expect(direct.statusCode).toBe(200);
    const proxied = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(404);
    await app.close();
  });
});
