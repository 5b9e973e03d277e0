/**
 * Sign-in through the API's OAuth server (the website is a first-party client with PKCE S256):
 * `/auth/sign_in` → PUBLIC_URL/oauth/authorize → `/auth/callback` → code exchanged server-side at
 * API_INTERNAL_URL → a new website session holding that access token.
 */
import oauthPlugin, { type OAuth2Namespace } from '@fastify/oauth2';
import {
  authenticateAccessToken,
  createWebSession,
  deleteWebSession,
  revokeAccessTokenById,
} from '@murmur/db/auth';
import { oauthSignInCookieName } from '@murmur/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { sessionCookieName, sessionCookieOptions } from '../plugins/session.js';
import { ActionForm } from './schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    murmurOAuth: OAuth2Namespace;
  }
}

export const WEB_SCOPES = ['read', 'write', 'follow', 'profile'];

const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 500 })),
  state: Type.Optional(Type.String({ maxLength: 500 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 1000 })),
});

/** Forgets the browser's sign-in: the website's session cookie and the API's sign-in cookie. */
export function clearSignInCookies(reply: FastifyReply, https: boolean): void {
  const cookieOptions = { path: '/', secure: https, httpOnly: true, sameSite: 'lax' } as const;
  reply.clearCookie(sessionCookieName(https), cookieOptions);
  // The API's sign-in cookie (same origin): without this, "Sign in" would skip the password.
  reply.clearCookie(oauthSignInCookieName(https), cookieOptions);
}

export async function registerAuthRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): Promise<void> {
  const { config } = deps;
  const https = config.publicUrl.protocol === 'https:';
  const cookieName = sessionCookieName(https);

  await app.register(oauthPlugin, {
    name: 'murmurOAuth',
    scope: WEB_SCOPES,
    credentials: {
      client: { id: config.webClientId, secret: config.webClientSecret },
      auth: {
        // The browser goes to the public origin; the server exchanges the code on the internal address.
        authorizeHost: config.publicUrl.origin,
        authorizePath: '/oauth/authorize',
        tokenHost: config.apiInternalUrl,
        tokenPath: '/oauth/token',
      },
    },
    startRedirectPath: '/auth/sign_in',
    callbackUri: `${config.publicUrl.origin}/auth/callback`,
    pkce: 'S256',
    userAgent: 'murmur-frontend',
    cookie: { path: '/auth', httpOnly: true, sameSite: 'lax', secure: https },
  });

  // The sign-up page of the OAuth server, with the same state and PKCE as a sign-in.
  app.get('/auth/sign_up', async (request, reply) => {
    const authorize = new URL(await app.murmurOAuth.generateAuthorizationUri(request, reply));
    return reply.redirect(`${config.publicUrl.origin}/oauth/sign_up${authorize.search}`, 302);
  });

  app.get<{ Querystring: Static<typeof CallbackQuery> }>(
    '/auth/callback',
    { schema: { querystring: CallbackQuery } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      if (request.query.error || !request.query.code) {
        const body = html`<h1>Not signed in</h1>
<p>${request.query.error === 'access_denied' ? 'Sign-in was cancelled.' : 'The sign-in did not complete.'}</p>
<p><a class="button primary" href="/auth/sign_in">Try again</a></p>`;
        return sendPage(reply, context, { title: 'Not signed in', body, noindex: true }, 400);
      }
      let accessToken: string;
      try {
        const result = await app.murmurOAuth.getAccessTokenFromAuthorizationCodeFlow(
          request,
          reply,
        );
        accessToken = result.token.access_token;
      } catch (error) {
        request.log.warn(
          { event: 'web_sign_in_failed', reason: (error as Error).message },
          'code exchange failed',
        );
        throw new HttpError(
          400,
          'The sign-in could not be completed (it may have expired). Please try again.',
        );
      }
      const authenticated = await authenticateAccessToken(deps.database, accessToken);
      if (!authenticated?.account)
        throw new HttpError(400, 'The sign-in could not be completed. Please try again.');
      // A new session id on every sign-in; whatever session the browser had ends.
      if (request.sessionId) await deleteWebSession(deps.database, request.sessionId);
      const { sessionId } = await createWebSession(deps.database, {
        accountId: authenticated.account.id,
        accessTokenId: authenticated.tokenId,
        now: deps.clock(),
        timeouts: {
          idleTimeoutMs: config.sessionIdleTimeoutMs,
          absoluteTimeoutMs: config.sessionAbsoluteTimeoutMs,
        },
      });
      request.log.info({ event: 'web_sign_in', accountId: authenticated.account.id }, 'signed in');
      reply.setCookie(
        cookieName,
        sessionId,
        sessionCookieOptions(https, Math.floor(config.sessionAbsoluteTimeoutMs / 1000)),
      );
      return reply.redirect('/', 303);
    },
  );

  app.post<{ Body: ActionForm }>(
    '/auth/sign_out',
    { config: { csrf: 'session' }, schema: { body: ActionForm } },
    async (request, reply) => {
      if (request.sessionId) {
        const tokenId = await deleteWebSession(deps.database, request.sessionId);
        if (tokenId) await revokeAccessTokenById(deps.database, tokenId);
        request.log.info(
          { event: 'web_sign_out', accountId: request.viewer?.account.id },
          'signed out',
        );
      }
      clearSignInCookies(reply, https);
      return reply.redirect('/', 303);
    },
  );
}
