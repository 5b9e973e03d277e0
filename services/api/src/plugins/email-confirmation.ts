/**
 * Until its e-mail address is confirmed, an account cannot post, boost or follow: those routes
 * answer 403 with Mastodon's message ("Your login is missing a confirmed e-mail address"). One
 * primary-key read, on these routes only. Everything else (reading, the profile, resending the
 * confirmation with `POST /api/v1/emails/confirmations`) keeps working.
 */
import { requireConfirmedEmail } from '@murmur/db';
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
      const accountId = request.auth?.accountId;
      if (!accountId) return;
      if (!CONFIRMED_EMAIL_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
      // A DomainError (EmailNotConfirmed), which the error handler answers with 403.
      await requireConfirmedEmail(app.database.primary, accountId);
    });
  },
  { name: 'email-confirmation' },
);
