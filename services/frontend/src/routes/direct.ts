/**
 * Direct messages on the website: the signed-in person's conversations, newest message first,
 * each with its participants, its last message and whether it is unread, a "Mark read" and a
 * "Remove" button. Kept by the worker's conversations consumer.
 */
import {
  conversationsOf,
  markConversationRead,
  removeConversation,
} from '@murmur/db/conversations';
import type { FastifyInstance } from 'fastify';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import { actionButton } from '../views/layout.js';
import { displayNameOf, pager, profileLink, statusArticle } from '../views/status.js';
import { requireViewer } from './reading.js';
import { ActionForm, IdParams, PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';

const session = { csrf: 'session' } as const;

export function registerDirectMessageRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): void {
  app.get<{ Querystring: PageQuery }>(
    '/direct',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      const page = await conversationsOf(
        deps.database.primary,
        request.viewer.account.id,
        pageFrom(request.query),
      );
      const items = page.conversations.map((conversation) => {
        const with_ = conversation.accounts.length
          ? conversation.accounts.map(
              (a, i) => html`${i ? ', ' : ''}${profileLink(a, displayNameOf(a))}`,
            )
          : html`yourself`;
        return html`<li class="conversation${conversation.unread ? ' unread' : ''}">
<h2 class="conversation-heading">With ${with_}${conversation.unread ? html` <span class="badge">Unread</span>` : ''}</h2>
${conversation.lastStatus ? statusArticle(conversation.lastStatus, context) : ''}
<div class="conversation-actions">${conversation.unread ? actionButton(context, `/direct/${conversation.id}/read`, 'Mark read', { className: 'link-button' }) : ''}${actionButton(context, `/direct/${conversation.id}/remove`, 'Remove', { className: 'link-button' })}</div>
</li>`;
      });
      const body = html`<h1>Direct messages</h1>
<p class="hint">A direct message is seen only by the accounts it mentions. Write one by mentioning them in a post whose visibility is “direct”.</p>
${items.length ? html`<ul class="conversations">${items}</ul>` : html`<p class="empty">No direct messages yet.</p>`}
${pager('/direct', page.conversations, {
  limit: PAGE_SIZE,
  paged: Boolean(request.query.max_id || request.query.min_id),
  cursors: { first: page.firstCursor, last: page.lastCursor },
})}`;
      return sendPage(reply, context, { title: 'Direct messages', body, noindex: true });
    },
  );

  for (const [action, operation] of [
    ['read', markConversationRead],
    ['remove', removeConversation],
  ] as const) {
    app.post<{ Params: IdParams; Body: ActionForm }>(
      `/direct/:id/${action}`,
      { config: session, schema: { params: IdParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        await operation(deps.database, {
          accountId: viewer.account.id,
          conversationId: request.params.id,
        });
        return redirectBack(reply, request.body.return_to, '/direct');
      },
    );
  }
}
