/**
 * Trends (`/api/v1/trends/tags`, `/api/v1/trends/statuses`): what more people than usual talk about
 * and favourite now. The rankings (`@murmur/db` `trendingTagIds`, `trendingStatusIds`) read a day or
 * two of statuses, so each API process computes them at most every few minutes and shares one
 * computation between concurrent requests; each page is then read for its viewer (the Tag's
 * `following`, the Status's viewer flags and visibility rules). Paged by `offset`, as Mastodon does.
 * Trending links need link previews, which Murmur does not fetch: that one stays a stub.
 */
import { type Executor } from '@murmur/db';
import { tagDetailsByIds } from '@murmur/db/tags';
import { trendingStatusIds, trendingTagIds } from '@murmur/db/search';
import { visibleStatuses } from '@murmur/db/timelines';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeTagDetail } from '../../../entities/index.js';
import type { ApiInstance, Clock } from '../../../plugins/context.js';
import { LenientString } from '../../../schemas/atoms.js';
import { Status, Tag } from '../../../schemas/entities.js';
import { ERRORS, parseLimit, parseOffset, sendStatuses, viewerOf } from '../_shared.js';

/** How long a process reuses a ranking before computing it again. */
export const TRENDS_REFRESH_MS = 5 * 60 * 1000;

/** A ranking computed at most once per refresh period; concurrent readers share the computation. */
class CachedRanking {
  private current: { ids: Promise<string[]>; computedAt: number } | undefined;

  constructor(
    private readonly compute: () => Promise<string[]>,
    private readonly clock: Clock,
  ) {}

  ids(): Promise<string[]> {
    const now = this.clock().getTime();
    if (!this.current || now - this.current.computedAt >= TRENDS_REFRESH_MS) {
      const ids = this.compute();
      const entry = { ids, computedAt: now };
      this.current = entry;
      // A failed computation is not kept: the next request tries again.
      ids.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
    }
    return this.current.ids;
  }
}

const OffsetQuery = Type.Object({
  limit: Type.Optional(LenientString),
  offset: Type.Optional(LenientString),
});

/** Mastodon's `Link` for offset paging: `next` while the page was full, `prev` after the first. */
function setOffsetLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { offset: number; limit: number; returned: number },
): void {
  const origin = request.server.config.publicOrigin;
  const path = new URL(request.url, origin).pathname;
  const link = (offset: number, rel: string) =>
    `<${origin}${path}?${new URLSearchParams({ offset: String(offset), limit: String(page.limit) })}>; rel="${rel}"`;
  const links: string[] = [];
  if (page.returned >= page.limit) links.push(link(page.offset + page.limit, 'next'));
  if (page.offset > 0) links.push(link(Math.max(0, page.offset - page.limit), 'prev'));
  if (links.length > 0) reply.header('link', links.join(', '));
}

export default async function trendRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const ranking = (compute: (executor: Executor) => Promise<string[]>) =>
    new CachedRanking(() => compute(database.replica), app.clock);
  const tagRanking = ranking(trendingTagIds);
  const statusRanking = ranking(trendingStatusIds);

  app.get(
    '/api/v1/trends/tags',
    {
      config: { auth: 'optional', scopes: [] },
      schema: {
        tags: ['trends'],
        summary: 'Hashtags more accounts use today than usual, most surprising first',
        querystring: OffsetQuery,
        response: { 200: Type.Array(Tag), ...ERRORS },
      },
    },
    async (request, reply) => {
      const limit = parseLimit(request.query.limit, 10, 20);
      const offset = parseOffset(request.query.offset);
      const ids = (await tagRanking.ids()).slice(offset, offset + limit);
      const viewerId = viewerOf(request);
      const tags = await tagDetailsByIds(database.replica, ids, viewerId);
      setOffsetLinks(request, reply, { offset, limit, returned: tags.length });
      return tags.map((tag) => serializeTagDetail(tag, config.publicOrigin, viewerId));
    },
  );

  app.get(
    '/api/v1/trends/statuses',
    {
      config: { auth: 'optional', scopes: [] },
      schema: {
        tags: ['trends'],
        summary: 'Public posts many people favourite and boost now, recent interactions first',
        querystring: OffsetQuery,
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      const limit = parseLimit(request.query.limit, 20, 40);
      const offset = parseOffset(request.query.offset);
      const ids = (await statusRanking.ids()).slice(offset, offset + limit);
      const statuses = await visibleStatuses(database.replica, ids, viewerOf(request));
      setOffsetLinks(request, reply, { offset, limit, returned: ids.length });
      return sendStatuses(request, reply, statuses);
    },
  );
}
