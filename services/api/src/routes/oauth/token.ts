/**
 * The token endpoint (RFC 6749 §4.1.3, §4.4) and revocation (RFC 7009). Clients authenticate with
 * `client_secret_basic` or `client_secret_post`. Tokens never expire and no refresh token is issued,
 * as Mastodon clients expect; responses are never cached.
 */
import {
  issueAccessToken,
  redeemAuthorizationCode,
  revokeAccessToken,
  verifyClientCredentials,
  type IssuedAccessToken,
  type OAuthApplication,
} from '@murmur/db/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiInstance } from '../../plugins/context.js';
import { HttpError } from '../../plugins/errors.js';
import { clientAddressKey, passSharedLimits } from '../../plugins/rate-limit.js';
import { parseScopes, scopesWithin, unknownScopes } from '../../plugins/scopes.js';

const Optional = Type.Optional(Type.String({ maxLength: 4096 }));

const TokenBody = Type.Object({
  grant_type: Optional,
  code: Optional,
  redirect_uri: Optional,
  code_verifier: Optional,
  scope: Optional,
  client_id: Optional,
  client_secret: Optional,
});

const RevokeBody = Type.Object({
  token: Optional,
  token_type_hint: Optional,
  client_id: Optional,
  client_secret: Optional,
});

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  scope: Type.String(),
  created_at: Type.Integer({ description: 'Unix time in seconds' }),
});

const OAuthError = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
});

export function tokenEntity(accessToken: string, token: IssuedAccessToken) {
  return {
    access_token: accessToken,
    token_type: 'Bearer' as const,
    scope: token.scopes.join(' '),
    created_at: Math.floor(token.createdAt.getTime() / 1000),
  };
}

function oauthError(status: number, error: string, description?: string): HttpError {
  return new HttpError(
    status,
    description ? { error, error_description: description } : { error },
    status === 401 ? { 'www-authenticate': 'Basic realm="oauth"' } : {},
  );
}

/** `client_id:client_secret` from a Basic header (each form-urlencoded, RFC 6749 §2.3.1). */
function basicCredentials(
  request: FastifyRequest,
): { clientId: string; clientSecret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return {
    clientId: decode(decoded.slice(0, colon)),
    clientSecret: decode(decoded.slice(colon + 1)),
  };
}

async function authenticateClient(
  app: ApiInstance,
  request: FastifyRequest,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
): Promise<OAuthApplication> {
  const credentials =
    basicCredentials(request) ??
    (body.client_id !== undefined && body.client_secret !== undefined
      ? { clientId: body.client_id, clientSecret: body.client_secret }
      : null);
  const application = credentials
    ? await verifyClientCredentials(
        app.database.primary,
        credentials.clientId,
        credentials.clientSecret,
      )
    : null;
  if (!application) throw oauthError(401, 'invalid_client', 'Client authentication failed');
  return application;
}

function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export default async function tokenRoutes(app: ApiInstance): Promise<void> {
  const throttle = (request: FastifyRequest, reply: FastifyReply) =>
    passSharedLimits(app, reply, [
      { key: `token:ip:${clientAddressKey(request)}`, limit: app.rateLimits.tokenPerIp },
    ]);

  app.post(
    '/oauth/token',
    {
      schema: {
        summary: 'Obtain an access token (authorization_code or client_credentials)',
        tags: ['oauth'],
        body: TokenBody,
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError, 429: OAuthError },
      },
    },
    async (request, reply) => {
      noStore(reply);
      if (!(await throttle(request, reply))) return reply;
      const body = request.body;
      const application = await authenticateClient(app, request, body);
      if (body.grant_type === 'authorization_code') {
        if (!body.code) throw oauthError(400, 'invalid_request', 'code is required');
        if (!body.redirect_uri)
          throw oauthError(400, 'invalid_request', 'redirect_uri is required');
        const { accessToken, token } = await redeemAuthorizationCode(app.database, {
          code: body.code,
          applicationId: application.id,
          redirectUri: body.redirect_uri,
          codeVerifier: body.code_verifier ?? null,
          requestId: request.id,
        });
        request.log.info(
          {
            event: 'oauth.token',
            grant: 'authorization_code',
            applicationId: application.id,
            tokenId: token.id,
          },
          'token issued',
        );
        return tokenEntity(accessToken, token);
      }
      if (body.grant_type === 'client_credentials') {
        const requested = parseScopes(body.scope);
        const scopes = requested.length > 0 ? requested : ['read'];
        if (unknownScopes(scopes).length > 0 || !scopesWithin(scopes, application.scopes)) {
          throw oauthError(
            400,
            'invalid_scope',
            'The requested scope is invalid, unknown, or exceeds the application scopes',
          );
        }
        const { accessToken, token } = await issueAccessToken(app.database, {
          applicationId: application.id,
          accountId: null,
          scopes,
        });
        request.log.info(
          {
            event: 'oauth.token',
            grant: 'client_credentials',
            applicationId: application.id,
            tokenId: token.id,
          },
          'token issued',
        );
        return tokenEntity(accessToken, token);
      }
      if (body.grant_type === undefined)
        throw oauthError(400, 'invalid_request', 'grant_type is required');
      throw oauthError(
        400,
        'unsupported_grant_type',
        'Supported: authorization_code, client_credentials',
      );
    },
  );

  app.post(
    '/oauth/revoke',
    {
      schema: {
        summary: 'Revoke an access token (RFC 7009)',
        tags: ['oauth'],
        body: RevokeBody,
        response: {
          200: Type.Object({}),
          400: OAuthError,
          401: OAuthError,
          403: OAuthError,
          429: OAuthError,
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      if (!(await throttle(request, reply))) return reply;
      const body = request.body;
      const application = await authenticateClient(app, request, body);
      if (!body.token) throw oauthError(400, 'invalid_request', 'token is required');
      const outcome = await revokeAccessToken(app.database, {
        token: body.token,
        applicationId: application.id,
      });
      if (outcome === 'other_client') {
        throw oauthError(403, 'unauthorized_client', 'You are not authorized to revoke this token');
      }
      request.log.info(
        { event: 'oauth.revoke', applicationId: application.id, outcome },
        'token revocation',
      );
      return {};
    },
  );
}
