/** Bookmarks: private to their owner, paged by when each status was bookmarked. */
import { bookmarkedStatuses } from '@murmur/db/timelines';
import { bookmarkStatus, unbookmarkStatus } from '@murmur/db/statuses';
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams, PageQuery } from '../../../schemas/atoms.js';
import { Status } from '../../../schemas/entities.js';
import { ERRORS, pageOf, sendStatus, sendStatuses, setLinkHeader, userOf } from '../_shared.js';
import { loadStatus } from './statuses.js';

const tags = ['bookmarks'];

export default async function bookmarkRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  for (const [path, run, summary] of [
    ['bookmark', bookmarkStatus, 'Bookmark a status (a reblog: its original)'],
    ['unbookmark', unbookmarkStatus, 'Remove a bookmark'],
  ] as const) {
    app.post(
      `/api/v1/statuses/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:bookmarks'] },
        schema: { tags, summary, params: IdParams, response: { 200: Status, ...ERRORS } },
      },
      async (request, reply) => {
        const accountId = userOf(request);
        const target = await run(database, { accountId, statusId: request.params.id });
        return sendStatus(request, reply, await loadStatus(database.primary, target.id, accountId));
      },
    );
  }

  app.get(
    '/api/v1/bookmarks',
    {
      config: { auth: 'user', scopes: ['read:bookmarks'] },
      schema: {
        tags,
        summary: 'Statuses you bookmarked, most recently bookmarked first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      // Reads its own writes (a bookmark just made), so it stays on the primary.
      const page = await bookmarkedStatuses(
        database.primary,
        userOf(request),
        pageOf(request.query, 20, 40),
      );
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return sendStatuses(request, reply, page.statuses);
    },
  );
}
