/**
 * Account recovery on the authorization server, where passwords are handled: "Forgot your
 * password?" (a reset link by e-mail), choosing a new password with that link, and confirming an
 * e-mail address with a confirmation link. The e-mails are the worker's (events written by the
 * operations). The answer to a reset request is the same page whether or not the address belongs to
 * an account, and requests are throttled per IP and per address.
 */
import { isDomainError } from '@murmur/db';
import {
  confirmEmail,
  findAccountTokenOwner,
  requestPasswordReset,
  resetPassword,
} from '@murmur/db/accounts';
import { setTimeout } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiInstance } from '../../plugins/context.js';
import { clientAddressKey, passSharedLimits } from '../../plugins/rate-limit.js';
import {
  confirmEmailPage,
  donePage,
  FORGOT_PASSWORD_PATH,
  forgotPasswordPage,
  invalidLinkPage,
  newPasswordPage,
  resetLinkSentPage,
} from '../../views/account-recovery-pages.js';
import { errorPage, type CarriedParams } from '../../views/pages.js';
import { pickAuthorizeParams, validateAuthorizeRequest, withParams } from './authorize-request.js';
import { AuthorizeQuery, sendPage } from './authorize.js';
import { csrfToken, validCsrf } from './browser-state.js';

const Optional = Type.Optional(Type.String({ maxLength: 2048 }));
const Secret = Type.Optional(Type.String({ maxLength: 4096 }));
const ForgotBody = Type.Object({
  ...AuthorizeQuery.properties,
  csrf_token: Optional,
  email: Optional,
});
const TokenQuery = Type.Object({ token: Optional });
const NewPasswordBody = Type.Object({
  csrf_token: Optional,
  token: Optional,
  password: Secret,
  password_confirmation: Secret,
});
const ConfirmBody = Type.Object({ csrf_token: Optional, token: Optional });

/** The least time a reset request takes to answer, whether or not the address is registered. */
const RESET_ANSWER_MS = 150;

/** Where the website starts signing in (it then comes back to /oauth/authorize). */
const WEBSITE_SIGN_IN = '/auth/sign_in';

const INVALID_RESET_LINK =
  'This password reset link is invalid, was already used, was replaced by a newer one or has expired.';
const INVALID_CONFIRMATION_LINK =
  'This confirmation link is invalid, was already used, was replaced by a newer one or has expired.';

export default async function accountRecoveryRoutes(app: ApiInstance): Promise<void> {
  const hidden = { hide: true } as const;

  /** The authorization request carried through the pages, when it is a valid one. */
  const carriedParams = async (input: Record<string, string | undefined>) => {
    const params = pickAuthorizeParams(input);
    if (params.client_id === undefined) return {};
    const result = await validateAuthorizeRequest(app, params);
    return result.ok ? result.request.params : {};
  };
  const signInHref = (params: CarriedParams) =>
    params.client_id ? withParams('/oauth/authorize', params) : WEBSITE_SIGN_IN;
  const csrfFailed = (reply: FastifyReply) =>
    sendPage(
      reply,
      403,
      errorPage({
        title: 'This form has expired',
        message: 'Go back, reload the page and try again.',
        code: 'invalid_csrf_token',
      }),
    );
  const throttled = (request: FastifyRequest, reply: FastifyReply, keys: string[]) =>
    passSharedLimits(
      app,
      reply,
      [
        {
          key: `account-emails:ip:${clientAddressKey(request)}`,
          limit: app.rateLimits.accountEmailsPerIp,
        },
        ...keys.map((key) => ({ key, limit: app.rateLimits.accountEmailsPerAddress })),
      ],
      errorPage({
        title: 'Too many requests',
        message: 'Too many e-mails were asked for. Wait a few minutes and try again.',
      }),
    ).then((allowed) => !allowed);

  app.get(
    FORGOT_PASSWORD_PATH,
    { schema: { ...hidden, querystring: AuthorizeQuery } },
    async (request, reply) => {
      const params = await carriedParams(request.query);
      return sendPage(
        reply,
        200,
        forgotPasswordPage({
          csrfToken: csrfToken(app, request, reply),
          params,
          signInHref: signInHref(params),
        }),
      );
    },
  );

  app.post(
    '/oauth/password',
    { schema: { ...hidden, body: ForgotBody } },
    async (request, reply) => {
      const form = request.body;
      if (!validCsrf(app, request, form.csrf_token)) return csrfFailed(reply);
      const params = await carriedParams(form);
      const email = (form.email ?? '').trim();
      if (email === '') {
        return sendPage(
          reply,
          422,
          forgotPasswordPage({
            csrfToken: csrfToken(app, request, reply),
            params,
            signInHref: signInHref(params),
          }),
        );
      }
      if (await throttled(request, reply, [`account-emails:address:${email.toLowerCase()}`])) {
        request.log.warn({ event: 'auth.password_reset', outcome: 'throttled' }, 'reset throttled');
        return reply;
      }
      const started = performance.now();
      await requestPasswordReset(app.database, { email, requestId: request.id });
      // A registered address costs a write more than an unknown one (about 20 ms): answering no
      // sooner than RESET_ANSWER_MS after the work began hides that difference.
      await setTimeout(Math.max(0, RESET_ANSWER_MS - (performance.now() - started)));
      // Never logs whether the address is registered: the answer must not tell either.
      request.log.info({ event: 'auth.password_reset', outcome: 'requested' }, 'reset requested');
      return sendPage(reply, 200, resetLinkSentPage({ signInHref: signInHref(params) }));
    },
  );

  const invalidResetLink = (reply: FastifyReply) =>
    sendPage(
      reply,
      404,
      invalidLinkPage({
        message: INVALID_RESET_LINK,
        retryHref: FORGOT_PASSWORD_PATH,
        retry: 'Ask for a new link',
      }),
    );

  app.get(
    '/oauth/password/edit',
    { schema: { ...hidden, querystring: TokenQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if ((await findAccountTokenOwner(app.database.primary, token, 'password_reset')) === null) {
        return invalidResetLink(reply);
      }
      return sendPage(
        reply,
        200,
        newPasswordPage({ csrfToken: csrfToken(app, request, reply), token, errors: {} }),
      );
    },
  );

  app.post(
    '/oauth/password/edit',
    { schema: { ...hidden, body: NewPasswordBody } },
    async (request, reply) => {
      const form = request.body;
      if (!validCsrf(app, request, form.csrf_token)) return csrfFailed(reply);
      const token = form.token ?? '';
      const password = form.password ?? '';
      const again = (errors: Record<string, string>) =>
        sendPage(
          reply,
          422,
          newPasswordPage({ csrfToken: csrfToken(app, request, reply), token, errors }),
        );
      if (password !== (form.password_confirmation ?? '')) {
        return again({ password_confirmation: 'The two passwords are not the same' });
      }
      try {
        const { accountId, revokedTokens } = await resetPassword(
          app.database,
          { token, newPassword: password },
          { bcryptCost: app.config.BCRYPT_COST },
        );
        request.log.info(
          { event: 'auth.password_reset', outcome: 'changed', accountId, revokedTokens },
          'password reset',
        );
      } catch (error) {
        if (isDomainError(error, 'InvalidAccountToken')) return invalidResetLink(reply);
        if (isDomainError(error, 'InvalidPassword')) return again({ password: error.message });
        throw error;
      }
      return sendPage(
        reply,
        200,
        donePage({
          title: 'Your password was changed',
          message: 'Every app and browser that was signed in to your account has been signed out.',
          nextHref: WEBSITE_SIGN_IN,
          next: 'Sign in with your new password',
        }),
      );
    },
  );

  const invalidConfirmationLink = (reply: FastifyReply) =>
    sendPage(
      reply,
      404,
      invalidLinkPage({
        message: INVALID_CONFIRMATION_LINK,
        retryHref: '/settings',
        retry: 'Sign in to ask for a new one',
      }),
    );

  app.get(
    '/oauth/confirmation',
    { schema: { ...hidden, querystring: TokenQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (
        (await findAccountTokenOwner(app.database.primary, token, 'email_confirmation')) === null
      ) {
        return invalidConfirmationLink(reply);
      }
      return sendPage(
        reply,
        200,
        confirmEmailPage({ csrfToken: csrfToken(app, request, reply), token }),
      );
    },
  );

  app.post(
    '/oauth/confirmation',
    { schema: { ...hidden, body: ConfirmBody } },
    async (request, reply) => {
      const form = request.body;
      if (!validCsrf(app, request, form.csrf_token)) return csrfFailed(reply);
      try {
        const accountId = await confirmEmail(app.database, form.token ?? '');
        request.log.info({ event: 'auth.email_confirmed', accountId }, 'e-mail confirmed');
      } catch (error) {
        if (isDomainError(error, 'InvalidAccountToken')) return invalidConfirmationLink(reply);
        throw error;
      }
      return sendPage(
        reply,
        200,
        donePage({
          title: 'Your e-mail address is confirmed',
          message: 'You can now post and follow people.',
          nextHref: '/',
          next: 'Go to Murmur',
        }),
      );
    },
  );
}
