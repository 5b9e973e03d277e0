/** Search of accounts (username and display name prefix), hashtags (prefix) and statuses (full text). */
import { hydrateAccounts } from '@murmur/db/accounts';
import { searchAccounts, searchHashtags, searchStatuses } from '@murmur/db/search';
import Type from 'typebox';
import { serializeAccount, serializeStatus, serializeTag } from '../../../entities/index.js';
import { HttpError } from '../../../plugins/errors.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { LenientString } from '../../../schemas/atoms.js';
import { Search } from '../../../schemas/entities.js';
import {
  entityContext,
  ERRORS,
  parseBoolean,
  parseLimit,
  parseOffset,
  viewerOf,
} from '../_shared.js';

type SearchType = 'accounts' | 'hashtags' | 'statuses';

export default async function searchRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v2/search',
    {
      config: { auth: 'optional', scopes: ['read:search'] },
      schema: {
        tags: ['search'],
        summary: 'Search accounts, hashtags and statuses',
        description:
          '`offset` and `resolve` need a signed-in user, as in Mastodon; `resolve=true` with `q` a handle (`@user@other.host`) finds the account on its server (WebFinger) and stores it.',
        querystring: Type.Object({
          q: Type.String({ maxLength: 500 }),
          type: Type.Optional(Type.String({ maxLength: 32 })),
          limit: Type.Optional(LenientString),
          offset: Type.Optional(LenientString),
          resolve: Type.Optional(LenientString),
          following: Type.Optional(LenientString),
          account_id: Type.Optional(LenientString),
          exclude_unreviewed: Type.Optional(LenientString),
        }),
        response: { 200: Search, ...ERRORS },
      },
    },
    async (request) => {
      const query = request.query;
      const viewerId = viewerOf(request);
      if (viewerId === null && query.offset !== undefined) {
        throw new HttpError(401, {
          error: 'Search queries pagination is not supported without authentication',
        });
      }
      if (viewerId === null && parseBoolean(query.resolve)) {
        throw new HttpError(401, {
          error:
            'Search queries that resolve remote resources are not supported without authentication',
        });
      }
      const wanted = (type: SearchType) => query.type === undefined || query.type === type;
      const options = {
        limit: parseLimit(query.limit, 20, 40),
        offset: parseOffset(query.offset),
        viewerId,
      };
      // A remote handle is looked up on its server first (stored, then found like any account).
      const resolvedId =
        wanted('accounts') && viewerId !== null && parseBoolean(query.resolve)
          ? await app.remoteAccounts.resolveHandle(query.q)
          : null;
      const [resolved, accounts, hashtags, statuses] = await Promise.all([
        resolvedId === null ? [] : hydrateAccounts(database.primary, [resolvedId]),
        wanted('accounts') ? searchAccounts(database.replica, query.q, options) : [],
        wanted('hashtags') ? searchHashtags(database.replica, query.q, options) : [],
        wanted('statuses') ? searchStatuses(database.replica, query.q, options) : [],
      ]);
      const context = entityContext(request);
      return {
        accounts: [...resolved, ...accounts.filter((a) => a.id !== resolvedId)].map((a) =>
          serializeAccount(a, context.publicUrl),
        ),
        statuses: statuses.map((s) => serializeStatus(s, context)),
        hashtags: hashtags.map((t) => serializeTag(t, context.publicUrl)),
      };
    },
  );
}
