/**
 * The website session: cookie → web_sessions row (with its access token and account), loaded on
 * every request that carries the cookie; and the CSRF rules every POST route declares.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Database } from '@murmur/db';
import { loadWebSession, type LoadedWebSession, type WebSessionTimeouts } from '@murmur/db/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { isCrossSite } from './security.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, or null. */
    viewer: LoadedWebSession | null;
    /** The raw session id from the cookie, when the session is live. */
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /**
     * How a POST route is protected against cross-site requests: `session` needs the session's
     * synchronizer token; `self-authorizing` routes carry their own secret (the unsubscribe token).
     */
    csrf?: 'session' | 'self-authorizing';
  }
}

export interface SessionSettings {
  https: boolean;
  publicOrigin: string;
  timeouts: WebSessionTimeouts;
  database: Database;
  clock: () => Date;
}

export function sessionCookieName(https: boolean): string {
  return https ? '__Host-murmur_session' : 'murmur_session';
}

export function sessionCookieOptions(https: boolean, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: https,
    maxAge: maxAgeSeconds,
  };
}

/** The synchronizer token for a session's forms: HMAC of a fixed label under the session's secret. */
export function csrfTokenFor(csrfSecret: string): string {
  return createHmac('sha256', csrfSecret).update('murmur-website-form').digest('base64url');
}

function sameToken(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerSession(app: FastifyInstance, settings: SessionSettings): void {
  const cookieName = sessionCookieName(settings.https);
  app.decorateRequest('viewer', null);
  app.decorateRequest('sessionId', null);

  app.addHook('onRequest', async (request, reply) => {
    const raw = request.cookies[cookieName];
    if (!raw) return;
    const loaded = await loadWebSession(settings.database, raw, {
      now: settings.clock(),
      timeouts: settings.timeouts,
    });
    if (loaded) {
      request.viewer = loaded;
      request.sessionId = raw;
    } else {
      reply.clearCookie(cookieName, {
        path: '/',
        secure: settings.https,
        httpOnly: true,
        sameSite: 'lax',
      });
    }
  });

  // Every POST route must say how it resists CSRF; a forgotten one fails at start-up, not in production.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m)) && !route.config?.csrf) {
      throw new Error(`Route ${String(route.method)} ${route.url} must declare config.csrf`);
    }
  });

  app.addHook('preValidation', async (request: FastifyRequest, _reply: FastifyReply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (isCrossSite(request, settings.publicOrigin)) {
      throw new HttpError(403, 'This form was sent from another site, so it was refused.');
    }
    const mode = request.routeOptions.config.csrf;
    if (mode === 'self-authorizing') return;
    if (!request.viewer) throw new HttpError(401, 'Please sign in again: your session has ended.');
    const body = request.body as Record<string, unknown> | undefined;
    if (!sameToken(body?.csrf_token, csrfTokenFor(request.viewer.session.csrfSecret))) {
      throw new HttpError(
        403,
        'This form has expired or was not sent from this site. Go back, reload the page and try again.',
      );
    }
  });
}
