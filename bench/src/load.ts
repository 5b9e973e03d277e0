/** Runs autocannon against a URL: a warm-up that is thrown away, then the measured run. */
import autocannon from 'autocannon';
import type { LoadMeasurement } from './report.js';

export interface RequestSpec {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Called before each request: headers that change per request (rotating tokens or client addresses). */
  vary?: () => Record<string, string>;
  /** Called before each request for a body (POST). */
  body?: () => string;
}

export interface LoadOptions {
  origin: string;
  /** Cycled through by each connection. */
  requests: RequestSpec[];
  connections: number;
  duration: number;
  warmup: number;
  /** Open model: requests per second across all connections (0 = closed loop, as fast as possible). */
  rate: number;
}

type AutocannonRequest = {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
};

function toAutocannonRequests(specs: RequestSpec[]) {
  return specs.map((spec) => ({
    method: spec.method ?? 'GET',
    path: spec.path,
    headers: { ...spec.headers },
    setupRequest: (request: AutocannonRequest) => {
      const headers = { ...request.headers, ...spec.headers, ...spec.vary?.() };
      const body = spec.body?.();
      return body === undefined ? { ...request, headers } : { ...request, headers, body };
    },
  }));
}

async function once(options: LoadOptions, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.origin,
    connections: options.connections,
    duration,
    timeout: 10,
    ...(options.rate > 0 ? { overallRate: options.rate } : {}),
    requests: toAutocannonRequests(options.requests) as autocannon.Request[],
  });
}

export async function measureLoad(options: LoadOptions): Promise<LoadMeasurement> {
  if (options.warmup > 0) await once(options, options.warmup);
  const result = await once(options, options.duration);
  const total = result.requests.total;
  return {
    requests: total,
    requestsPerSecond: total / (result.duration || options.duration),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerResponse: total > 0 ? Math.round(result.throughput.total / total) : 0,
  };
}

/** Sequential client addresses 10.x.y.z, for X-Forwarded-For through a trusted proxy. */
export function rotatingAddresses(): () => string {
  let n = 0;
  return () => {
    n = (n + 1) % 16_777_216;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  };
}

/** Cycles through values (tokens). */
export function rotating<T>(values: readonly T[]): () => T {
  if (values.length === 0) throw new Error('nothing to rotate through');
  let n = 0;
  return () => values[n++ % values.length]!;
}
