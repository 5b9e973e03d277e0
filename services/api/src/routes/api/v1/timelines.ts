/** Home, public and hashtag timelines, newest first, with Mastodon's paging and `Link` header. */
import {
  favouritedStatuses,
  homeTimeline,
  publicTimeline,
  type PublicTimelineScope,
  tagTimeline,
} from '@murmur/db/timelines';
import { type StatusView } from '@murmur/db/statuses';
import { normalizeHashtag } from '@murmur/text';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { LenientString, PageQuery, StringOrList } from '../../../schemas/atoms.js';
import { Status } from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  parseBoolean,
  sendStatuses,
  setLinkHeader,
  setLinkHeaderFor,
  userOf,
  viewerOf,
} from '../_shared.js';

const tags = ['timelines'];

const PublicQuery = Type.Object({
  ...PageQuery,
  local: Type.Optional(LenientString),
  remote: Type.Optional(LenientString),
  only_media: Type.Optional(LenientString),
});

const TagQuery = Type.Object({
  ...PublicQuery.properties,
  any: Type.Optional(StringOrList),
  all: Type.Optional(StringOrList),
  none: Type.Optional(StringOrList),
});

function respond(request: FastifyRequest, reply: FastifyReply, statuses: StatusView[]) {
  setLinkHeaderFor(request, reply, statuses);
  return sendStatuses(request, reply, statuses);
}

/** The public timeline does not select by attachments yet: `only_media` selects nothing. */
function selectsNothing(query: { only_media?: string | undefined }): boolean {
  return parseBoolean(query.only_media);
}

/** `local=true`: this server's posts; `remote=true`: other servers' (Mastodon's precedence). */
function scopeOf(query: {
  local?: string | undefined;
  remote?: string | undefined;
}): PublicTimelineScope {
  if (parseBoolean(query.local)) return 'local';
  return parseBoolean(query.remote) ? 'remote' : 'all';
}

export default async function timelineRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/timelines/home',
    {
      config: { auth: 'user', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'Your statuses and those of the accounts you follow, with reblogs',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) =>
      respond(
        request,
        reply,
        await homeTimeline(database, userOf(request), pageOf(request.query, 20, 40)),
      ),
  );

  app.get(
    '/api/v1/timelines/public',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'Public statuses of this server',
        querystring: PublicQuery,
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      if (selectsNothing(request.query)) return [];
      const page = pageOf(request.query, 20, 40);
      return respond(
        request,
        reply,
        await publicTimeline(database.replica, page, viewerOf(request), scopeOf(request.query)),
      );
    },
  );

  app.get(
    '/api/v1/timelines/tag/:hashtag',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'Public statuses with a hashtag',
        description: '`any[]`, `all[]` and `none[]` are accepted and ignored.',
        params: Type.Object({ hashtag: Type.String({ maxLength: 200 }) }),
        querystring: TagQuery,
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      if (selectsNothing(request.query)) return [];
      const name = normalizeHashtag(request.params.hashtag.replace(/^#/, ''));
      const page = pageOf(request.query, 20, 40);
      return respond(
        request,
        reply,
        await tagTimeline(database.replica, name, page, viewerOf(request)),
      );
    },
  );

  app.get(
    '/api/v1/favourites',
    {
      config: { auth: 'user', scopes: ['read:favourites'] },
      schema: {
        tags: ['statuses'],
        summary: 'Statuses you favourited, most recently favourited first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      // Reads its own writes (a favourite just made), so it stays on the primary.
      const page = await favouritedStatuses(
        database.primary,
        userOf(request),
        pageOf(request.query, 20, 40),
      );
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return sendStatuses(request, reply, page.statuses);
    },
  );
}
