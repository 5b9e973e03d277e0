import {
  getNotificationPolicy,
  listNotifications,
  type NotificationView,
} from '@murmur/db/notifications';
import type { FastifyInstance } from 'fastify';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { liveNotifications } from '../views/live.js';
import { liveStreamPath } from './live.js';
import { displayNameOf, pager, profileLink, statusArticle, timeElement } from '../views/status.js';
import { PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';

const VERBS: Record<NotificationView['type'], string> = {
  mention: 'mentioned you',
  follow: 'followed you',
  favourite: 'favourited your post',
  reblog: 'boosted your post',
  follow_request: 'asked to follow you',
  'admin.report': 'filed a report for the moderators',
  update: 'edited a post you boosted',
  poll: 'posted a poll that has ended',
};

function notificationItem(notification: NotificationView, context: PageContext): SafeHtml {
  const who = notification.account;
  return html`<li id="notification-${notification.id}" class="notification notification-${notification.type}">
<p>${profileLink(who, html`<strong>${displayNameOf(who)}</strong>`)} ${VERBS[notification.type]} · ${timeElement(notification.createdAt, context)}${notification.type === 'follow_request' ? html` · <a href="/follow_requests">Answer</a>` : ''}</p>
${notification.status ? statusArticle(notification.status, context) : ''}
</li>`;
}

export function registerNotificationRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.get<{ Querystring: PageQuery }>(
    '/notifications',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      const [notifications, policy] = await Promise.all([
        listNotifications(
          deps.database.replica,
          request.viewer.account.id,
          pageFrom(request.query),
        ),
        getNotificationPolicy(deps.database.replica, request.viewer.account.id),
      ]);
      const waiting = policy.summary.pendingRequestsCount;
      const filtered = waiting
        ? html`<p class="notice"><a href="/notifications/requests">${waiting === 1 ? '1 person' : `${waiting} people`} you may not know</a> sent notifications that wait for your review.</p>`
        : '';
      const paged = Boolean(request.query.max_id || request.query.min_id);
      const list = notifications.length
        ? html`<ol class="notification-list">${notifications.map((n) => notificationItem(n, context))}</ol>`
        : html`<p class="empty">No notifications yet.</p>`;
      const body = html`<h1>Notifications</h1>
${filtered}
${paged ? list : liveNotifications(liveStreamPath('notifications'), list, context)}
${pager('/notifications', notifications, { limit: PAGE_SIZE, paged })}`;
      return sendPage(reply, context, { title: 'Notifications', body, noindex: true });
    },
  );
}
