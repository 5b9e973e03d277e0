/**
 * The authorization endpoint and its pages: sign in, sign up, consent, out-of-band code. Every form
 * POST checks the CSRF token and re-validates the whole authorization request; answers to POSTs
 * are 303 redirects (never 307, RFC 9700 §4.12). First-party clients (the website) skip consent.
 */
import { isDomainError } from '@murmur/db';
import { createAuthorizationCode } from '@murmur/db/auth';
import { registerAccount, type LocalAccount } from '@murmur/db/accounts';
import { listInstanceRules, signInRefusal } from '@murmur/db/moderation';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiInstance } from '../../plugins/context.js';
import { htmlCsp } from '../../plugins/security-headers.js';
import { clientAddressKey, passSharedLimits } from '../../plugins/rate-limit.js';
import {
  consentPage,
  errorPage,
  outOfBandPage,
  signInPage,
  signUpPage,
  approvalPendingPage,
  STYLESHEET,
  STYLESHEET_PATH,
  type CarriedParams,
} from '../../views/pages.js';
import {
  pickAuthorizeParams,
  redirectWith,
  validateAuthorizeRequest,
  withParams,
  type AuthorizeProblem,
  type AuthorizeRequest,
} from './authorize-request.js';
import { csrfToken, setSignedIn, signedInAccount, validCsrf } from './browser-state.js';
import { OUT_OF_BAND_URI, redirectUriCspSource } from './redirect-uris.js';
import { FORGOT_PASSWORD_PATH } from '../../views/account-recovery-pages.js';

const Optional = Type.Optional(Type.String({ maxLength: 2048 }));
export const AuthorizeQuery = Type.Object({
  response_type: Optional,
  client_id: Optional,
  redirect_uri: Optional,
  scope: Optional,
  state: Optional,
  code_challenge: Optional,
  code_challenge_method: Optional,
  force_login: Optional,
  lang: Optional,
});
const FormBody = Type.Object({
  ...AuthorizeQuery.properties,
  csrf_token: Optional,
  decision: Optional,
  login: Optional,
  password: Type.Optional(Type.String({ maxLength: 4096 })),
  username: Optional,
  email: Optional,
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  agreement: Optional,
});
type Form = Partial<Record<keyof typeof FormBody.properties, string>>;

export const SIGN_IN_FAILED = 'Wrong username/email or password';

/**
 * `formTargets`: CSP sources the page's form may lead to besides our own origin. Browsers check
 * `form-action` on every redirect after a form POST, so a page whose POST ends in a 303 to the
 * client must name the client's redirect URI (exactly that one, validated against the registration).
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  page: string,
  formTargets: readonly string[] = [],
): FastifyReply {
  if (formTargets.length > 0) reply.header('content-security-policy', htmlCsp(formTargets));
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(page);
}

/** The CSP source of the request's redirect URI (none for the out-of-band code page). */
function clientTarget(authorization: AuthorizeRequest): string[] {
  const source = redirectUriCspSource(authorization.redirectUri);
  return source === null ? [] : [source];
}

/**
 * Where a sign-in or sign-up form can end up: for a client that skips consent (the website), its
 * POST redirects to /oauth/authorize and from there straight to the client; for any other client
 * the chain stops at the consent page, which is ours.
 */
function afterSignInTargets(authorization: AuthorizeRequest | null): string[] {
  return authorization?.application.firstParty ? clientTarget(authorization) : [];
}

function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').header('location', location).send();
}

export default async function authorizeRoutes(app: ApiInstance): Promise<void> {
  const title = app.config.INSTANCE_TITLE;
  const hidden = { hide: true } as const;

  const problemPage = (reply: FastifyReply, status: number, code: string, message: string) =>
    sendPage(reply, status, errorPage({ title: 'Authorization failed', message, code }));
  const rejectRequest = (reply: FastifyReply, problem: AuthorizeProblem) =>
    problemPage(reply, problem.status, problem.code, problem.message);
  const csrfFailed = (reply: FastifyReply) =>
    problemPage(
      reply,
      403,
      'invalid_csrf_token',
      'This form has expired. Go back, reload the page and try again.',
    );

  const renderSignIn = (
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: AuthorizeRequest | null,
    status = 200,
    extra: { login?: string; error?: string } = {},
  ) => {
    const params: CarriedParams = authorization?.params ?? {};
    return sendPage(
      reply,
      status,
      signInPage({
        instanceTitle: title,
        csrfToken: csrfToken(app, request, reply),
        params,
        applicationName: authorization?.application.name ?? null,
        ...extra,
        signUpHref:
          app.config.registrationsMode !== 'closed' ? withParams('/oauth/sign_up', params) : null,
        forgotPasswordHref: withParams(FORGOT_PASSWORD_PATH, params),
      }),
      afterSignInTargets(authorization),
    );
  };

  const issueCode = async (
    reply: FastifyReply,
    authorization: AuthorizeRequest,
    account: LocalAccount,
  ) => {
    const code = await createAuthorizationCode(app.database, {
      applicationId: authorization.application.id,
      accountId: account.id,
      redirectUri: authorization.redirectUri,
      scopes: authorization.scopes,
      codeChallenge: authorization.codeChallenge,
      codeChallengeMethod: authorization.codeChallenge === null ? null : 'S256',
      ttlMs: app.config.AUTHORIZATION_CODE_TTL_SECONDS * 1000,
    });
    if (authorization.redirectUri === OUT_OF_BAND_URI) {
      return sendPage(
        reply,
        200,
        outOfBandPage({ applicationName: authorization.application.name, code }),
      );
    }
    return seeOther(
      reply,
      redirectWith(authorization.redirectUri, { code, state: authorization.state }),
    );
  };

  const showConsent = (
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: AuthorizeRequest,
    account: LocalAccount,
  ) =>
    sendPage(
      reply,
      200,
      consentPage({
        csrfToken: csrfToken(app, request, reply),
        params: authorization.params,
        application: {
          name: authorization.application.name,
          website: authorization.application.website,
        },
        username: account.username,
        scopes: authorization.scopes,
        redirectTarget:
          authorization.redirectUri === OUT_OF_BAND_URI
            ? 'a page showing a code to copy'
            : authorization.redirectUri,
        switchAccountHref: withParams('/oauth/authorize', {
          ...authorization.params,
          force_login: 'true',
        }),
      }),
      clientTarget(authorization),
    );

  app.get(
    '/oauth/authorize',
    { schema: { ...hidden, querystring: AuthorizeQuery } },
    async (request, reply) => {
      const result = await validateAuthorizeRequest(app, pickAuthorizeParams(request.query));
      if (!result.ok) return rejectRequest(reply, result.problem);
      const authorization = result.request;
      const account = authorization.forceLogin ? null : await signedInAccount(app, request);
      if (!account) return renderSignIn(request, reply, authorization);
      if (authorization.application.firstParty) return issueCode(reply, authorization, account);
      return showConsent(request, reply, authorization, account);
    },
  );

  app.post(
    '/oauth/authorize',
    { schema: { ...hidden, body: FormBody } },
    async (request, reply) => {
      const form = request.body as Form;
      if (!validCsrf(app, request, form.csrf_token)) {
        return csrfFailed(reply);
      }
      const result = await validateAuthorizeRequest(app, pickAuthorizeParams(form));
      if (!result.ok) return rejectRequest(reply, result.problem);
      const authorization = result.request;
      const account = await signedInAccount(app, request);
      if (!account) return renderSignIn(request, reply, authorization, 401);
      const event = {
        event: 'oauth.authorize',
        applicationId: authorization.application.id,
        accountId: account.id,
      };
      if (form.decision === 'approve') {
        request.log.info({ ...event, outcome: 'approved' }, 'authorization approved');
        return issueCode(reply, authorization, account);
      }
      if (form.decision === 'deny') {
        request.log.info({ ...event, outcome: 'denied' }, 'authorization denied');
        if (authorization.redirectUri === OUT_OF_BAND_URI) {
          return problemPage(reply, 200, 'access_denied', 'You denied the authorization.');
        }
        return seeOther(
          reply,
          redirectWith(authorization.redirectUri, {
            error: 'access_denied',
            state: authorization.state,
          }),
        );
      }
      return problemPage(reply, 400, 'invalid_request', 'Choose Authorize or Deny.');
    },
  );

  app.post('/oauth/sign_in', { schema: { ...hidden, body: FormBody } }, async (request, reply) => {
    const form = request.body as Form;
    if (!validCsrf(app, request, form.csrf_token)) {
      return csrfFailed(reply);
    }
    const params = pickAuthorizeParams(form);
    let authorization: AuthorizeRequest | null = null;
    if (params.client_id !== undefined) {
      const result = await validateAuthorizeRequest(app, params);
      if (!result.ok) return rejectRequest(reply, result.problem);
      authorization = result.request;
    }
    const login = (form.login ?? '').trim();
    const password = form.password ?? '';
    if (login === '' || password === '') {
      return renderSignIn(request, reply, authorization, 422, {
        login,
        error: SIGN_IN_FAILED,
      });
    }
    // Throttles first: a throttled attempt costs no bcrypt work.
    const limits = app.rateLimits;
    const allowed = await passSharedLimits(
      app,
      reply,
      [
        { key: `sign-in:ip:${clientAddressKey(request)}`, limit: limits.signInPerIp },
        { key: `sign-in:login:${login.toLowerCase()}`, limit: limits.signInPerLogin },
      ],
      errorPage({
        title: 'Too many attempts',
        message: 'Too many sign-in attempts. Wait a few minutes and try again.',
      }),
    );
    if (!allowed) {
      request.log.warn({ event: 'auth.sign_in', outcome: 'throttled' }, 'sign-in throttled');
      return reply;
    }
    const account = await app.authenticator(
      app.database,
      { login, password },
      { bcryptCost: app.config.BCRYPT_COST },
    );
    if (!account) {
      request.log.info({ event: 'auth.sign_in', outcome: 'failure' }, 'sign-in failed');
      return renderSignIn(request, reply, authorization, 401, {
        login,
        error: SIGN_IN_FAILED,
      });
    }
    const refusal = signInRefusal(account);
    if (refusal !== null) {
      request.log.info(
        { event: 'auth.sign_in', outcome: 'refused', accountId: account.id },
        refusal,
      );
      return renderSignIn(request, reply, authorization, 403, { login, error: refusal });
    }
    request.log.info(
      { event: 'auth.sign_in', outcome: 'success', accountId: account.id },
      'signed in',
    );
    setSignedIn(app, reply, account);
    // Only our own authorization endpoint, rebuilt from validated parameters: never a URL from the request.
    return seeOther(
      reply,
      authorization ? withParams('/oauth/authorize', authorization.params) : '/',
    );
  });

  const signUpContext = async (params: ReturnType<typeof pickAuthorizeParams>) => {
    if (params.client_id === undefined) return { ok: true as const, authorization: null };
    const result = await validateAuthorizeRequest(app, params);
    return result.ok ? { ok: true as const, authorization: result.request } : result;
  };

  const renderSignUp = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    authorization: AuthorizeRequest | null,
    values: { username?: string; email?: string; reason?: string } = {},
    errors: Record<string, string> = {},
  ) => {
    const carried: CarriedParams = authorization?.params ?? {};
    const rules = await listInstanceRules(app.database.replica);
    return sendPage(
      reply,
      status,
      signUpPage({
        instanceTitle: title,
        csrfToken: csrfToken(app, request, reply),
        params: carried,
        values,
        errors,
        signInHref: authorization ? withParams('/oauth/authorize', carried) : '/',
        rules,
        approvalRequired: app.config.registrationsMode === 'approval',
      }),
      afterSignInTargets(authorization),
    );
  };

  const registrationsClosed = (reply: FastifyReply) =>
    sendPage(
      reply,
      403,
      errorPage({ title: 'Sign-up closed', message: 'This server is not accepting new accounts.' }),
    );

  app.get(
    '/oauth/sign_up',
    { schema: { ...hidden, querystring: AuthorizeQuery } },
    async (request, reply) => {
      if (app.config.registrationsMode === 'closed') return registrationsClosed(reply);
      const context = await signUpContext(pickAuthorizeParams(request.query));
      if (!context.ok) return rejectRequest(reply, context.problem);
      return renderSignUp(request, reply, 200, context.authorization);
    },
  );

  app.post('/oauth/sign_up', { schema: { ...hidden, body: FormBody } }, async (request, reply) => {
    if (app.config.registrationsMode === 'closed') return registrationsClosed(reply);
    const form = request.body as Form;
    if (!validCsrf(app, request, form.csrf_token)) {
      return csrfFailed(reply);
    }
    const context = await signUpContext(pickAuthorizeParams(form));
    if (!context.ok) return rejectRequest(reply, context.problem);
    const values = {
      username: (form.username ?? '').trim(),
      email: (form.email ?? '').trim(),
      reason: (form.reason ?? '').trim(),
    };
    const missing: Record<string, string> = {};
    const approvalRequired = app.config.registrationsMode === 'approval';
    if (approvalRequired && !values.reason)
      missing.reason = 'Tell the moderators why you want to join';
    if (form.agreement !== '1' && (await listInstanceRules(app.database.replica)).length > 0) {
      missing.agreement = 'Accept the rules to sign up';
    }
    if (!values.username) missing.username = 'Choose a username';
    if (!values.email) missing.email = 'Enter your e-mail address';
    if (!form.password) missing.password = 'Choose a password';
    if (Object.keys(missing).length > 0)
      return renderSignUp(request, reply, 422, context.authorization, values, missing);

    const allowed = await passSharedLimits(
      app,
      reply,
      [{ key: `sign-up:ip:${clientAddressKey(request)}`, limit: app.rateLimits.signUpPerIp }],
      errorPage({
        title: 'Too many attempts',
        message: 'Too many sign-up attempts. Wait a few minutes and try again.',
      }),
    );
    if (!allowed) return reply;
    try {
      const account = await registerAccount(
        app.database,
        {
          username: values.username,
          email: values.email,
          password: form.password!,
          requestId: request.id,
          requireEmailConfirmation: app.config.REQUIRE_EMAIL_CONFIRMATION,
          approvalRequired,
          reason: values.reason || null,
        },
        { bcryptCost: app.config.BCRYPT_COST },
      );
      request.log.info(
        { event: 'auth.sign_up', outcome: 'success', accountId: account.id },
        'signed up',
      );
      if (approvalRequired) {
        return sendPage(
          reply,
          200,
          approvalPendingPage({ instanceTitle: title, username: account.username }),
        );
      }
      setSignedIn(app, reply, account);
      return seeOther(
        reply,
        context.authorization ? withParams('/oauth/authorize', context.authorization.params) : '/',
      );
    } catch (error) {
      if (!isDomainError(error)) throw error;
      const field = error.field ?? 'form';
      return renderSignUp(request, reply, 422, context.authorization, values, {
        [field]: error.message,
      });
    }
  });

  app.get(STYLESHEET_PATH, { schema: hidden }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(STYLESHEET),
  );
}
