/**
 * Accounts: the signed-in account (verify/update credentials, preferences), profiles, their statuses,
 * followers and following, lookup, search, relationships, follow and unfollow.
 */
import { isSnowflakeId } from '@murmur/db';
import { accountStatuses, pinnedStatuses } from '@murmur/db/timelines';
import {
  type AccountView,
  hydrateAccounts,
  findAccountById,
  findVisibleAccountByUsername,
  updateProfile,
  type LocalAccount,
  type ProfileChanges,
} from '@murmur/db/accounts';
import {
  followAccount,
  followersOf,
  followingOf,
  pendingFollowRequestsCount,
  relationships,
  unfollowAccount,
} from '@murmur/db/follows';
import { searchAccounts } from '@murmur/db/search';
import { normalizeHashtag } from '@murmur/text';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  serializeAccount,
  serializeCredentialAccount,
  serializeRelationship,
} from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { replaceProfileImage } from './profile.js';
import {
  IdParams,
  LenientBoolean,
  LenientString,
  Nullable,
  PageQuery,
  StringOrList,
} from '../../../schemas/atoms.js';
import {
  Account,
  CredentialAccount,
  Preferences,
  Relationship,
  Status,
} from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  parseBoolean,
  parseLimit,
  parseOffset,
  recordNotFound,
  sendStatuses,
  sendAccountPage,
  setLinkHeaderFor,
  toList,
  userOf,
  viewerOf,
} from '../_shared.js';

const tags = ['accounts'];

const AccountStatusesQuery = Type.Object({
  ...PageQuery,
  only_media: Type.Optional(LenientString),
  exclude_replies: Type.Optional(LenientString),
  exclude_reblogs: Type.Optional(LenientString),
  pinned: Type.Optional(LenientString),
  tagged: Type.Optional(Type.String({ maxLength: 200 })),
});

const UpdateCredentialsBody = Type.Object({
  display_name: Type.Optional(Nullable(Type.String())),
  note: Type.Optional(Nullable(Type.String())),
  locked: Type.Optional(Nullable(LenientBoolean)),
});

const FollowBody = Type.Object({
  reblogs: Type.Optional(Nullable(LenientBoolean)),
  notify: Type.Optional(Nullable(LenientBoolean)),
  languages: Type.Optional(Nullable(StringOrList)),
});

/** The account with this id (local or remote), or a 404. */
export async function requireAccount(app: ApiInstance, id: string): Promise<AccountView> {
  const [account] = isSnowflakeId(id) ? await hydrateAccounts(app.database.replica, [id]) : [];
  if (!account) throw recordNotFound();
  return account;
}

/** `alice`, `@alice` and `alice@this.host` name a local account; other domains are unknown here. */
export function localUsername(acct: string, host: string): string | null {
  const [username, domain, ...rest] = acct.trim().replace(/^@/, '').split('@');
  if (rest.length > 0 || !username) return null;
  if (domain !== undefined && domain.toLowerCase() !== host.toLowerCase()) return null;
  return username;
}

export default async function accountRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;
  const host = new URL(origin).host;

  const credentialAccount = async (request: FastifyRequest, row: LocalAccount | null) => {
    if (!row) throw recordNotFound();
    return serializeCredentialAccount(row, origin, {
      followRequestsCount: await pendingFollowRequestsCount(database.primary, row.id),
    });
  };

  app.get(
    '/api/v1/accounts/verify_credentials',
    {
      config: { auth: 'user', scopes: ['read:accounts', 'profile'] },
      schema: {
        tags,
        summary: 'The signed-in account, with its source fields',
        response: { 200: CredentialAccount, ...ERRORS },
      },
    },
    async (request) =>
      credentialAccount(request, await findAccountById(database.primary, userOf(request))),
  );

  app.patch(
    '/api/v1/accounts/update_credentials',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags,
        summary: 'Change the display name, bio, avatar or header',
        description:
          'JSON, form or multipart. `avatar` and `header` files (multipart) are cropped to 400×400 and 1500×500. `locked: true` makes follows requests; unlocking authorizes the pending ones. Fields and other settings are ignored.',
        body: UpdateCredentialsBody,
        response: { 200: CredentialAccount, ...ERRORS },
      },
    },
    async (request) => {
      const changes: ProfileChanges = {};
      if (typeof request.body.display_name === 'string')
        changes.displayName = request.body.display_name;
      if (typeof request.body.note === 'string') changes.note = request.body.note;
      if (request.body.locked != null) changes.locked = parseBoolean(request.body.locked);
      const accountId = userOf(request);
      for (const kind of ['avatar', 'header'] as const) {
        const upload = request.uploads[kind];
        if (upload) await replaceProfileImage(app, accountId, kind, upload.bytes);
      }
      return credentialAccount(
        request,
        await updateProfile(database, accountId, changes, { requestId: request.id }),
      );
    },
  );

  app.get(
    '/api/v1/preferences',
    {
      config: { auth: 'user', scopes: ['read:accounts'] },
      schema: {
        tags,
        summary: 'Posting and reading preferences',
        response: { 200: Preferences, ...ERRORS },
      },
    },
    async () => ({
      'posting:default:visibility': 'public' as const,
      'posting:default:sensitive': false,
      'posting:default:language': null,
      'reading:expand:media': 'default',
      'reading:expand:spoilers': false,
    }),
  );

  app.get(
    '/api/v1/accounts/lookup',
    {
      config: { auth: 'optional', scopes: ['read:accounts'] },
      schema: {
        tags,
        summary: 'Find an account by its username (`acct`)',
        querystring: Type.Object({ acct: Type.String({ maxLength: 300 }) }),
        response: { 200: Account, ...ERRORS },
      },
    },
    async (request) => {
      const username = localUsername(request.query.acct, host);
      if (username === null) {
        // `user@other.host`: the stored account, or found through the other server (WebFinger).
        const remoteId = await app.remoteAccounts.resolveHandle(request.query.acct);
        if (remoteId === null) throw recordNotFound();
        return serializeAccount(await requireAccount(app, remoteId), origin);
      }
      const account = await findVisibleAccountByUsername(database.replica, username);
      if (!account) throw recordNotFound();
      return serializeAccount(account, origin);
    },
  );

  app.get(
    '/api/v1/accounts/search',
    {
      config: { auth: 'user', scopes: ['read:accounts'] },
      schema: {
        tags,
        summary: 'Search accounts by username or display name prefix',
        querystring: Type.Object({
          q: Type.String({ maxLength: 300 }),
          limit: Type.Optional(LenientString),
          offset: Type.Optional(LenientString),
          resolve: Type.Optional(LenientString),
          following: Type.Optional(LenientString),
        }),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request) => {
      const accounts = await searchAccounts(database.replica, request.query.q, {
        limit: parseLimit(request.query.limit, 40, 80),
        offset: parseOffset(request.query.offset),
      });
      return accounts.map((a) => serializeAccount(a, origin));
    },
  );

  app.get(
    '/api/v1/accounts/relationships',
    {
      config: { auth: 'user', scopes: ['read:follows'] },
      schema: {
        tags,
        summary: 'How the signed-in account relates to others (`id[]`)',
        querystring: Type.Object({
          id: Type.Optional(StringOrList),
          with_suspended: Type.Optional(LenientString),
        }),
        response: { 200: Type.Array(Relationship), ...ERRORS },
      },
    },
    async (request) => {
      const ids = toList(request.query.id).slice(0, 100);
      const found = await relationships(database.replica, userOf(request), ids);
      return found.map(serializeRelationship);
    },
  );

  app.get(
    '/api/v1/accounts/:id',
    {
      config: { auth: 'optional', scopes: ['read:accounts'] },
      schema: {
        tags,
        summary: 'An account',
        params: IdParams,
        response: { 200: Account, ...ERRORS },
      },
    },
    async (request) => serializeAccount(await requireAccount(app, request.params.id), origin),
  );

  app.get(
    '/api/v1/accounts/:id/statuses',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: "An account's statuses, as the caller may see them",
        description:
          '`pinned=true`: the statuses pinned to the profile, most recently pinned first. `only_media`: posts with attachments.',
        params: IdParams,
        querystring: AccountStatusesQuery,
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      const query = request.query;
      if (parseBoolean(query.pinned)) {
        // At most five, so one page and no Link header; only the first page has any.
        await requireAccount(app, request.params.id);
        const pinned =
          query.max_id || query.min_id || query.since_id
            ? []
            : await pinnedStatuses(database.replica, request.params.id, viewerOf(request));
        return sendStatuses(request, reply, pinned);
      }
      const statuses = await accountStatuses(
        database.replica,
        request.params.id,
        pageOf(query, 20, 40),
        viewerOf(request),
        {
          excludeReplies: parseBoolean(query.exclude_replies),
          excludeReblogs: parseBoolean(query.exclude_reblogs),
          tagged: query.tagged ? normalizeHashtag(query.tagged.replace(/^#/, '')) : null,
          onlyMedia: parseBoolean(query.only_media),
        },
      );
      // A page with statuses proves the account exists; only an empty one needs the extra lookup.
      if (statuses.length === 0) await requireAccount(app, request.params.id);
      setLinkHeaderFor(request, reply, statuses);
      return sendStatuses(request, reply, statuses);
    },
  );

  for (const [path, load, summary] of [
    ['followers', followersOf, 'Who follows an account'],
    ['following', followingOf, 'Whom an account follows'],
  ] as const) {
    app.get(
      `/api/v1/accounts/:id/${path}`,
      {
        config: { auth: 'optional', scopes: ['read:accounts'] },
        schema: {
          tags,
          summary,
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Type.Array(Account), ...ERRORS },
        },
      },
      async (request, reply) => {
        const account = await requireAccount(app, request.params.id);
        const page = await load(database.replica, account.id, pageOf(request.query, 40, 80));
        return sendAccountPage(request, reply, page);
      },
    );
  }

  for (const [path, run, summary] of [
    ['follow', followAccount, 'Follow an account'],
    ['unfollow', unfollowAccount, 'Stop following an account'],
  ] as const) {
    app.post(
      `/api/v1/accounts/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:follows'] },
        schema: {
          tags,
          summary,
          description: '`reblogs`, `notify` and `languages[]` are accepted and ignored.',
          params: IdParams,
          body: FollowBody,
          response: { 200: Relationship, ...ERRORS },
        },
      },
      async (request) => {
        const accountId = userOf(request);
        await run(database, {
          accountId,
          targetAccountId: request.params.id,
          requestId: request.id,
        });
        const [relationship] = await relationships(database.primary, accountId, [
          request.params.id,
        ]);
        if (!relationship) throw recordNotFound();
        return serializeRelationship(relationship);
      },
    );
  }
}
