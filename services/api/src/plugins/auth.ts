/**
 * Bearer-token authentication and scope checks (RFC 6750), per route from `config.auth` and
 * `config.scopes`. Tokens are read from the `Authorization` header only: never from the query string
 * (they would end up in logs and Referer headers) and never from cookies (a cookie-authenticated API
 * would be open to CSRF).
 */
import { authenticateAccessToken } from '@murmur/db/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiInstance, AuthMode } from './context.js';
import { scopesAllow } from './scopes.js';

export const AUTH_MESSAGES = {
  missing: 'This API requires an authenticated user',
  invalid: 'The access token is invalid',
  scope: 'This action is outside the authorized scopes',
  userRequired: 'This method requires an authenticated user',
} as const;

/** Paths that must declare `config.auth` (and `config.scopes` when a token is required). */
export function requiresAuthDeclaration(url: string): boolean {
  return url.startsWith('/api/') && !url.startsWith('/api/docs') && url !== '/api/openapi.json';
}

/** The bearer token of the Authorization header, if any (the scheme is case-insensitive). */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

function deny(
  reply: FastifyReply,
  status: number,
  error: string,
  challenge?: string,
): FastifyReply {
  if (challenge) reply.header('www-authenticate', challenge);
  return reply.code(status).type('application/json; charset=utf-8').send({ error });
}

export interface RouteAuthEntry {
  method: string;
  url: string;
  auth: AuthMode | undefined;
  scopes: string[] | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its declared auth, for the route-inventory test and the docs. */
    routeInventory: RouteAuthEntry[];
  }
}

export const authentication = fp(
  async (app: ApiInstance) => {
    app.decorateRequest('auth', null);
    const inventory: RouteAuthEntry[] = [];
    app.decorate('routeInventory', inventory);

    app.addHook('onRoute', (route) => {
      const url = route.url ?? route.path;
      for (const method of [route.method].flat()) {
        inventory.push({
          method: String(method),
          url,
          auth: route.config?.auth,
          scopes: route.config?.scopes,
        });
      }
      if (!requiresAuthDeclaration(url) || route.method === 'HEAD') return;
      const auth = route.config?.auth;
      if (auth === undefined) {
        throw new Error(`Route ${String(route.method)} ${url} must declare config.auth`);
      }
      if ((auth === 'user' || auth === 'app') && !Array.isArray(route.config?.scopes)) {
        throw new Error(`Route ${String(route.method)} ${url} must declare config.scopes`);
      }
    });

    app.addHook('onRequest', async (request, reply) => {
      const mode: AuthMode = request.routeOptions.config?.auth ?? 'none';
      if (mode === 'none') return;
      const required = request.routeOptions.config?.scopes ?? [];
      const raw = bearerToken(request);
      if (raw === null) {
        if (mode === 'optional') return;
        return deny(reply, 401, AUTH_MESSAGES.missing, 'Bearer realm="api"');
      }
      const found = await authenticateAccessToken(app.database, raw);
      if (!found) {
        return deny(reply, 401, AUTH_MESSAGES.invalid, 'Bearer realm="api", error="invalid_token"');
      }
      request.auth = {
        tokenId: found.tokenId,
        accountId: found.accountId,
        account: found.account,
        applicationId: found.applicationId,
        scopes: found.scopes,
        wroteRecently: found.wroteRecently,
        emailConfirmed: found.emailConfirmed,
      };
      if (!scopesAllow(found.scopes, required)) {
        return deny(
          reply,
          403,
          AUTH_MESSAGES.scope,
          `Bearer realm="api", error="insufficient_scope", scope="${required.join(' ')}"`,
        );
      }
      if (mode === 'user' && found.accountId === null) {
        return deny(reply, 422, AUTH_MESSAGES.userRequired);
      }
    });
  },
  { name: 'murmur-auth' },
);
