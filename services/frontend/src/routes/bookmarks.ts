/** The signed-in person's bookmarks, most recently bookmarked first. */
import { bookmarkedStatuses } from '@murmur/db/timelines';
import type { FastifyInstance } from 'fastify';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { pager, statusList } from '../views/status.js';
import { PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';

export function registerBookmarkRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.get<{ Querystring: PageQuery }>(
    '/bookmarks',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      // Reads its own writes (a bookmark just made, then the redirect here), so the primary.
      const page = await bookmarkedStatuses(
        deps.database.primary,
        request.viewer.account.id,
        pageFrom(request.query),
      );
      const body = html`<h1>Bookmarks</h1>
${statusList(page.statuses, context, 'No bookmarks yet. Bookmark a post to find it here later; nobody else sees your bookmarks.')}
${pager('/bookmarks', page.statuses, {
  limit: PAGE_SIZE,
  paged: Boolean(request.query.max_id || request.query.min_id),
  cursors: { first: page.firstCursor, last: page.lastCursor },
})}`;
      return sendPage(reply, context, { title: 'Bookmarks', body, noindex: true });
    },
  );
}
