/**
 * Rate limits as Mastodon's rack-attack sets them (reference §3.2). The general API limits are fixed
 * windows kept in this process (each replica counts its own share, which is what they are for: keeping
 * one client from hogging a replica). The credential throttles (sign-in, sign-up, token endpoint) use
 * counters in PostgreSQL, shared by every replica, and run before any bcrypt work.
 */
import { hitRateLimit } from '@murmur/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

export interface Limit {
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

export interface RateLimitSettings {
  /** Requests without a token, per IP (/64 for IPv6). */
  unauthenticatedPerIp: Limit;
  perToken: Limit;
  perAccount: Limit;
  /** `DELETE /api/v1/statuses/:id` and `POST /api/v1/statuses/:id/unreblog`, per account. */
  deletesPerAccount: Limit;
  signInPerIp: Limit;
  /** Per username or e-mail typed. */
  signInPerLogin: Limit;
  /** The sign-up page, per IP. */
  signUpPerIp: Limit;
  /** `POST /api/v1/accounts`, per IP. */
  apiSignUpPerIp: Limit;
  /** `POST /oauth/token` and `/oauth/revoke`, per IP. */
  tokenPerIp: Limit;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  unauthenticatedPerIp: { limit: 300, windowMs: 5 * MINUTE },
  perToken: { limit: 300, windowMs: 5 * MINUTE },
  perAccount: { limit: 1500, windowMs: 5 * MINUTE },
  deletesPerAccount: { limit: 30, windowMs: 30 * MINUTE },
  signInPerIp: { limit: 25, windowMs: 5 * MINUTE },
  signInPerLogin: { limit: 25, windowMs: 60 * MINUTE },
  signUpPerIp: { limit: 25, windowMs: 5 * MINUTE },
  apiSignUpPerIp: { limit: 5, windowMs: 30 * MINUTE },
  tokenPerIp: { limit: 300, windowMs: 5 * MINUTE },
};

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimitSettings;
  }
}

interface WindowResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: Date;
}

/** Fixed-window counters in memory; expired windows are swept as time passes. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  hit(key: string, { limit, windowMs }: Limit, now: number): WindowResult {
    if (now >= this.nextSweep) this.sweep(now);
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const mapKey = `${key}@${windowMs}`;
    let entry = this.windows.get(mapKey);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: windowStart + windowMs };
      this.windows.set(mapKey, entry);
    }
    entry.count++;
    return {
      allowed: entry.count <= limit,
      limit,
      remaining: Math.max(0, limit - entry.count),
      resetAt: new Date(entry.resetAt),
    };
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key);
    this.nextSweep = now + MINUTE;
  }
}

/** The rate-limit key of an address: IPv4 as is, IPv6 grouped by /64 as Mastodon does. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailParts];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function setHeaders(reply: FastifyReply, result: WindowResult): void {
  reply.header('x-ratelimit-limit', String(result.limit));
  reply.header('x-ratelimit-remaining', String(result.remaining));
  reply.header('x-ratelimit-reset', result.resetAt.toISOString());
}

function tooMany(
  reply: FastifyReply,
  result: WindowResult,
  now: Date,
  page?: string,
): FastifyReply {
  setHeaders(reply, result);
  reply.header(
    'retry-after',
    String(Math.max(1, Math.ceil((result.resetAt.getTime() - now.getTime()) / 1000))),
  );
  reply.code(429);
  if (page !== undefined)
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  return reply.type('application/json; charset=utf-8').send({ error: 'Too many requests' });
}

/** The most constraining of several results: a denial first, else the fewest remaining. */
function tightest(results: WindowResult[]): WindowResult {
  return [...results].sort(
    (a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining,
  )[0]!;
}

const DELETE_ROUTES = new Set([
  'DELETE /api/v1/statuses/:id',
  'POST /api/v1/statuses/:id/unreblog',
]);

/**
 * Counts one attempt against each shared (database) limit. When any is exceeded, answers 429 (JSON,
 * or `page` for HTML forms) and returns false; the caller must then stop, before any expensive work.
 */
export async function passSharedLimits(
  app: ApiInstance,
  reply: FastifyReply,
  checks: { key: string; limit: Limit }[],
  page?: string,
): Promise<boolean> {
  const now = app.clock();
  const results = await Promise.all(
    checks.map(async ({ key, limit }) => ({
      ...(await hitRateLimit(app.database, {
        key,
        limit: limit.limit,
        windowMs: limit.windowMs,
        now,
      })),
      limit: limit.limit,
    })),
  );
  const result = tightest(results);
  if (!result.allowed) {
    tooMany(reply, result, now, page);
    return false;
  }
  setHeaders(reply, result);
  return true;
}

export function clientAddressKey(request: FastifyRequest): string {
  return addressKey(request.ip);
}

export const rateLimiting = fp(
  async (app: ApiInstance, options: { settings: RateLimitSettings }) => {
    const settings = options.settings;
    app.decorate('rateLimits', settings);
    const counter = new FixedWindowCounter();

    // Runs after authentication (registered after it), so it knows the token and the account.
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (!route?.startsWith('/api/') || request.method === 'OPTIONS') return;
      const now = app.clock().getTime();
      const results: WindowResult[] = [];
      const auth = request.auth;
      if (auth) {
        results.push(counter.hit(`token:${auth.tokenId}`, settings.perToken, now));
        if (auth.accountId) {
          results.push(counter.hit(`account:${auth.accountId}`, settings.perAccount, now));
          if (DELETE_ROUTES.has(`${request.method} ${route}`)) {
            results.push(counter.hit(`deletes:${auth.accountId}`, settings.deletesPerAccount, now));
          }
        }
      } else {
        results.push(
          counter.hit(`ip:${clientAddressKey(request)}`, settings.unauthenticatedPerIp, now),
        );
      }
      const result = tightest(results);
      if (!result.allowed) return tooMany(reply, result, app.clock());
      setHeaders(reply, result);
    });
  },
  { name: 'murmur-rate-limit', dependencies: ['murmur-auth'] },
);
