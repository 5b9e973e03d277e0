/**
 * Rate limits as Mastodon's rack-attack sets them (reference §3.2), shared by every replica through
 * counters in PostgreSQL (with N replicas a client still gets Mastodon's limits, not N times them).
 *
 * The credential throttles (sign-in, sign-up, token endpoint) count each attempt in the database
 * before any bcrypt work: they must be exact. The general API limits are on every request, so they
 * must not cost a round trip each: a process decides from the shared total it last learned plus the
 * hits it has counted since, and every `syncIntervalMs` (1 s) adds those hits to the shared counters
 * and learns the new totals, every key in one statement. A client spreading requests over N replicas
 * can so exceed a limit by what N-1 replicas admit in one sync interval, and no more.
 */
import { type Database } from '@murmur/db';
import { addRateLimitHits, hitRateLimit } from '@murmur/db/auth';
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
  /** Password reset links and confirmation e-mails asked for, per IP and per address or account. */
  accountEmailsPerIp: Limit;
  accountEmailsPerAddress: Limit;
  /** How often the general limits' counts are shared with the other replicas. */
  syncIntervalMs: number;
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
  // Mastodon's rack-attack throttles password resets and confirmations the same way.
  accountEmailsPerIp: { limit: 25, windowMs: 5 * MINUTE },
  accountEmailsPerAddress: { limit: 5, windowMs: 30 * MINUTE },
  syncIntervalMs: 1_000,
};

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimitSettings;
    /** Shares this process's counts of the general limits now (also done every syncIntervalMs). */
    syncRateLimits(): Promise<void>;
  }
}

interface WindowResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: Date;
}

interface SharedWindow {
  key: string;
  windowStart: number;
  resetAt: number;
  /** The total of every process, as last learned. */
  shared: number;
  /** Hits counted here since the last sync. */
  pending: number;
  lastHitAt: number;
}

/**
 * Fixed-window counters whose totals are shared through PostgreSQL: `hit` decides without I/O;
 * `sync` adds the pending hits of every window in one statement and learns the totals, also of the
 * windows hit here within `refreshMs` (so that a client this process serves again soon is judged on
 * what the other processes counted). A failed sync keeps the hits for the next one (requests go on
 * being counted locally meanwhile).
 */
export class SharedWindowCounter {
  private readonly windows = new Map<string, SharedWindow>();
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly refreshMs: number,
  ) {}

  hit(key: string, { limit, windowMs }: Limit, now: number): WindowResult {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const sharedKey = `${key}@${windowMs}`;
    let entry = this.windows.get(sharedKey);
    if (!entry || entry.windowStart !== windowStart) {
      entry = {
        key: sharedKey,
        windowStart,
        resetAt: windowStart + windowMs,
        shared: 0,
        pending: 0,
        lastHitAt: now,
      };
      this.windows.set(sharedKey, entry);
    }
    entry.pending++;
    entry.lastHitAt = now;
    const count = entry.shared + entry.pending;
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt: new Date(entry.resetAt),
    };
  }

  /** One sync at a time; a call during a sync waits for it and then syncs again. */
  async sync(now: number): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.syncOnce(now).finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async syncOnce(now: number): Promise<void> {
    const sent: { entry: SharedWindow; count: number }[] = [];
    for (const [mapKey, entry] of this.windows) {
      if (entry.resetAt <= now) this.windows.delete(mapKey);
      else if (entry.pending > 0 || entry.lastHitAt >= now - this.refreshMs)
        sent.push({ entry, count: entry.pending });
    }
    if (sent.length === 0) return;
    for (const { entry } of sent) entry.pending = 0;
    try {
      const totals = await addRateLimitHits(
        this.database,
        sent.map(({ entry, count }) => ({
          key: entry.key,
          windowStart: new Date(entry.windowStart),
          count,
          expiresAt: new Date(entry.resetAt),
        })),
      );
      const byKey = new Map(totals.map((row) => [`${row.key}@${row.windowStart.getTime()}`, row]));
      for (const { entry } of sent) {
        const total = byKey.get(`${entry.key}@${entry.windowStart}`);
        if (total) entry.shared = Math.max(entry.shared, total.count);
      }
    } catch (error) {
      for (const { entry, count } of sent) entry.pending += count;
      throw error;
    }
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
    const counter = new SharedWindowCounter(app.database, 10 * settings.syncIntervalMs);
    const sync = () => counter.sync(app.clock().getTime());
    app.decorate('syncRateLimits', sync);
    const timer = setInterval(() => {
      sync().catch((error: unknown) =>
        app.log.warn({ err: error }, 'rate limit counts not shared; retrying'),
      );
    }, settings.syncIntervalMs);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await sync().catch(() => undefined);
    });

    // Runs after authentication (registered after it), so it knows the token and the account.
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (!route?.startsWith('/api/') || request.method === 'OPTIONS') return;
      // Streaming connections are long-lived and bounded per token and per address by the streaming
      // API itself (as Mastodon's streaming server, outside rack-attack): not counted as requests.
      if (route.startsWith('/api/v1/streaming')) return;
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
