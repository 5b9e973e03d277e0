/**
 * E-mail confirmation on the website: until the viewer's address is confirmed, posting, boosting
 * and following are refused with a clear message, every page shows a notice with "Send the link
 * again" (`POST /settings/confirmation`, throttled like the API's resend), and the link in the
 * e-mail leads to the authorization server's confirmation page.
 */
import { hitRateLimit } from '@murmur/db/auth';
import { requestEmailConfirmation } from '@murmur/db/accounts';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { requireViewer } from './reading.js';
import { ActionForm } from './schemas.js';

/** `METHOD url-pattern` of the website's routes that need a confirmed address. */
const CONFIRMED_EMAIL_ROUTES = new Set([
  'POST /statuses',
  'POST /statuses/:id/reblog',
  'POST /@:username/follow',
]);

/** The same throttle as the API's resend: 5 per account per 30 minutes. */
const RESEND_LIMIT = { limit: 5, windowMs: 30 * 60_000 };

export function registerEmailConfirmationRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): void {
  app.addHook('preHandler', async (request) => {
    const viewer = request.viewer;
    if (!viewer || viewer.account.emailConfirmed) return;
    if (!CONFIRMED_EMAIL_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
    throw new HttpError(
      403,
      'Confirm your e-mail address first: open the link we sent you, or ask for a new one with “Send the link again”.',
    );
  });

  app.post<{ Body: Static<typeof ActionForm> }>(
    '/settings/confirmation',
    { config: { csrf: 'session' }, schema: { body: ActionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const throttle = await hitRateLimit(deps.database, {
        key: `account-emails:account:${viewer.account.id}`,
        ...RESEND_LIMIT,
      });
      if (!throttle.allowed) {
        throw new HttpError(
          429,
          'Too many links were asked for. Wait a few minutes and try again.',
        );
      }
      const sent = await requestEmailConfirmation(deps.database, {
        accountId: viewer.account.id,
        requestId: request.id,
      });
      const context = pageContext(request, deps);
      const body = sent
        ? html`<h1>Check your e-mail</h1><p role="status">A new confirmation link is on its way. It replaces the earlier ones.</p>`
        : html`<h1>Already confirmed</h1><p role="status">Your e-mail address is confirmed.</p>`;
      return sendPage(reply, context, {
        title: 'Confirm your e-mail address',
        body,
        noindex: true,
      });
    },
  );
}
