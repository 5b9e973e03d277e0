/**
 * Follow requests: the people asking to follow the signed-in (locked) account, each with Accept and
 * Reject. Accepting makes them followers; both answers remove the request's notification.
 */
import { isDomainError } from '@murmur/db';
import { authorizeFollowRequest, followRequestsOf, rejectFollowRequest } from '@murmur/db/follows';
import { type AccountView } from '@murmur/db/accounts';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { HttpError } from '../errors.js';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { actionButton } from '../views/layout.js';
import { avatarImage, displayNameOf, profileLink } from '../views/status.js';
import { requireViewer } from './reading.js';
import { ActionForm, IdParams, PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';
import { handleOf } from '../views/accounts.js';

function requestItem(account: AccountView, context: PageContext): SafeHtml {
  const name = displayNameOf(account);
  return html`<li class="account-card follow-request">
${avatarImage(account, 48)}${profileLink(account, html`<strong>${name}</strong> <span class="handle">${handleOf(account)}</span>`)}
<div class="actions">
${actionButton(context, `/follow_requests/${account.id}/authorize`, 'Accept', { className: 'button primary', ariaLabel: `Accept ${name}'s follow request` })}
${actionButton(context, `/follow_requests/${account.id}/reject`, 'Reject', { className: 'button', ariaLabel: `Reject ${name}'s follow request` })}
</div></li>`;
}

export function registerFollowRequestRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): void {
  app.get<{ Querystring: PageQuery }>(
    '/follow_requests',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      // Reads its own writes (a request just answered, then the redirect here), so the primary.
      const page = await followRequestsOf(
        deps.database.primary,
        request.viewer.account.id,
        pageFrom(request.query),
      );
      const older =
        page.accounts.length >= PAGE_SIZE && page.lastCursor
          ? html`<nav class="pager" aria-label="Pages"><a rel="next" href="/follow_requests?max_id=${page.lastCursor}">Older →</a></nav>`
          : '';
      const body = html`<h1>Follow requests</h1>
${page.accounts.length ? html`<ul class="account-list">${page.accounts.map((a) => requestItem(a, context))}</ul>` : html`<p class="empty">Nobody is waiting for your answer. People ask to follow you when you approve followers by hand (<a href="/settings">Settings</a>).</p>`}
${older}`;
      return sendPage(reply, context, { title: 'Follow requests', body, noindex: true });
    },
  );

  for (const [action, answer] of [
    ['authorize', authorizeFollowRequest],
    ['reject', rejectFollowRequest],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: ActionForm }>(
      `/follow_requests/:id/${action}`,
      { config: { csrf: 'session' }, schema: { params: IdParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        try {
          await answer(deps.database, {
            accountId: request.params.id,
            targetAccountId: viewer.account.id,
            requestId: request.id,
          });
        } catch (error) {
          if (isDomainError(error, 'AccountNotFound')) {
            throw new HttpError(404, 'This follow request was already answered or withdrawn.');
          }
          throw error;
        }
        return redirectBack(reply, request.body.return_to, '/follow_requests');
      },
    );
  }
}
