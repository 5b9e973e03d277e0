/**
 * Filtered notifications on the website: the notification requests the signed-in person's policy
 * set aside (one per sender, with how many and the latest post), each with Accept (its
 * notifications join the list, and this sender is not filtered again) and Dismiss (they are
 * deleted). The notifications page links here while any wait.
 */
import { isDomainError } from '@murmur/db';
import {
  acceptNotificationRequest,
  dismissNotificationRequest,
  listNotificationRequests,
  type NotificationRequestView,
} from '@murmur/db/notifications';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { actionButton } from '../views/layout.js';
import { avatarImage, displayNameOf, profileLink, statusArticle } from '../views/status.js';
import { requireViewer } from './reading.js';
import { ActionForm, IdParams, PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';
import { handleOf } from '../views/accounts.js';

function requestItem(request: NotificationRequestView, context: PageContext): SafeHtml {
  const name = displayNameOf(request.account);
  const count = request.notificationsCount;
  return html`<li class="account-card notification-request">
${avatarImage(request.account, 48)}${profileLink(request.account, html`<strong>${name}</strong> <span class="handle">${handleOf(request.account)}</span>`)}
<p>${count === 1 ? '1 notification' : `${count} notifications`} held back</p>
${request.lastStatus ? statusArticle(request.lastStatus, context) : ''}
<div class="actions">
${actionButton(context, `/notifications/requests/${request.id}/accept`, 'Accept', { className: 'button primary', ariaLabel: `Accept notifications from ${name}` })}
${actionButton(context, `/notifications/requests/${request.id}/dismiss`, 'Dismiss', { className: 'button', ariaLabel: `Dismiss notifications from ${name}` })}
</div></li>`;
}

export function registerNotificationRequestRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): void {
  app.get<{ Querystring: PageQuery }>(
    '/notifications/requests',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      // Reads its own writes (a request just answered, then the redirect here), so the primary.
      const requests = await listNotificationRequests(
        deps.database.primary,
        request.viewer.account.id,
        pageFrom(request.query),
      );
      const last = requests.at(-1);
      const older =
        requests.length >= PAGE_SIZE && last
          ? html`<nav class="pager" aria-label="Pages"><a rel="next" href="/notifications/requests?max_id=${last.id}">Older →</a></nav>`
          : '';
      const body = html`<h1>Filtered notifications</h1>
<p>Notifications from people you may not know wait here until you accept or dismiss them.</p>
${requests.length ? html`<ul class="account-list">${requests.map((r) => requestItem(r, context))}</ul>` : html`<p class="empty">Nothing is waiting. <a href="/notifications">Back to notifications</a></p>`}
${older}`;
      return sendPage(reply, context, { title: 'Filtered notifications', body, noindex: true });
    },
  );

  for (const [action, answer] of [
    ['accept', acceptNotificationRequest],
    ['dismiss', dismissNotificationRequest],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: ActionForm }>(
      `/notifications/requests/:id/${action}`,
      { config: { csrf: 'session' }, schema: { params: IdParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        try {
          await answer(deps.database, viewer.account.id, request.params.id);
        } catch (error) {
          if (isDomainError(error, 'NotificationNotFound')) {
            throw new HttpError(404, 'These notifications were already accepted or dismissed.');
          }
          throw error;
        }
        return redirectBack(reply, request.body.return_to, '/notifications/requests');
      },
    );
  }
}
