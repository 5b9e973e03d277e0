/**
 * Until its e-mail address is confirmed, an account cannot post, boost or follow: those routes
 * answer 403 with Mastodon's message ("Your login is missing a confirmed e-mail address"). One
 * primary-key read, on these routes only. Everything else (reading, the profile, resending the
 * confirmation with `POST /api/v1/emails/confirmations`) keeps working. The state comes with the
 * token lookup every request makes: checking it costs no round trip.
 */
import { DomainError } from '@murmur/db';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

/** `METHOD url-pattern` of the routes that need a confirmed address. */
export const CONFIRMED_EMAIL_ROUTES = new Set([
  'POST /api/v1/statuses',
  'POST /api/v1/statuses/:id/reblog',
  'POST /api/v1/accounts/:id/follow',
]);

export const emailConfirmation = fp(
  async (app: ApiInstance) => {
    app.addHook('preHandler', async (request) => {
      const auth = request.auth;
      if (!auth?.accountId || auth.emailConfirmed) return;
      if (!CONFIRMED_EMAIL_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
      // The error handler answers EmailNotConfirmed with Mastodon's 403.
      throw new DomainError(
        'EmailNotConfirmed',
        'Your login is missing a confirmed e-mail address',
      );
    });
  },
  { name: 'email-confirmation' },
);
