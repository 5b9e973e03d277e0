/**
 * Hashtags: one with its recent use, following and unfollowing, and the ones you follow.
 * (Statuses with a followed hashtag entering the home timeline belong to the home feeds.)
 */
import {
  findTagDetails,
  followedTags,
  followTag,
  hashtagName,
  TAG_HISTORY_DAYS,
  unfollowTag,
  type TagDetailView,
} from '@murmur/db/tags';
import Type from 'typebox';
import { serializeTagDetail } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { PageQuery } from '../../../schemas/atoms.js';
import { Tag } from '../../../schemas/entities.js';
import { ERRORS, pageOf, recordNotFound, setLinkHeader, userOf, viewerOf } from '../_shared.js';

const tags = ['tags'];
const NameParams = Type.Object({ name: Type.String({ maxLength: 200 }) });
const DAY_MS = 24 * 60 * 60 * 1000;

export default async function tagRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;

  /**
   * A valid hashtag nobody used yet is still a tag one can look at and follow (as on Mastodon,
   * which answers it with an empty id): no uses on any day.
   */
  const unusedTag = (name: string, displayName: string): TagDetailView => {
    const today = Math.floor(app.clock().getTime() / DAY_MS) * DAY_MS;
    return {
      id: '',
      name,
      displayName,
      history: Array.from({ length: TAG_HISTORY_DAYS }, (_, i) => ({
        day: new Date(today - i * DAY_MS),
        uses: 0,
        accounts: 0,
      })),
      following: false,
      featuring: false,
    };
  };

  const tagEntity = async (raw: string, viewerId: string | null) => {
    const tag = hashtagName(raw);
    if (!tag) throw recordNotFound();
    const view =
      (await findTagDetails(database.primary, tag.name, viewerId)) ??
      unusedTag(tag.name, tag.displayName);
    return serializeTagDetail(view, origin, viewerId);
  };

  app.get(
    '/api/v1/tags/:name',
    {
      config: { auth: 'optional', scopes: [] },
      schema: {
        tags,
        summary: 'A hashtag: its use on each of the last 7 days, and whether you follow it',
        params: NameParams,
        response: { 200: Tag, ...ERRORS },
      },
    },
    async (request) => tagEntity(request.params.name, viewerOf(request)),
  );

  for (const [path, run, summary] of [
    ['follow', followTag, 'Follow a hashtag'],
    ['unfollow', unfollowTag, 'Stop following a hashtag'],
  ] as const) {
    app.post(
      `/api/v1/tags/:name/${path}`,
      {
        config: { auth: 'user', scopes: ['write:follows'] },
        schema: { tags, summary, params: NameParams, response: { 200: Tag, ...ERRORS } },
      },
      async (request) => {
        const accountId = userOf(request);
        await run(database, { accountId, name: request.params.name });
        return tagEntity(request.params.name, accountId);
      },
    );
  }

  app.get(
    '/api/v1/followed_tags',
    {
      config: { auth: 'user', scopes: ['read:follows'] },
      schema: {
        tags,
        summary: 'The hashtags you follow, most recently followed first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Tag), ...ERRORS },
      },
    },
    async (request, reply) => {
      const accountId = userOf(request);
      const page = await followedTags(database.primary, accountId, pageOf(request.query, 100, 200));
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return page.tags.map((view) => serializeTagDetail(view, origin, accountId));
    },
  );
}
