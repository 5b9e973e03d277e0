/**
 * Accounts in relation to you: private notes, followers you share, removing a follower, the
 * profile directory and follow suggestions, and accounts by id.
 */
import { isSnowflakeId } from '@murmur/db';
import { directoryAccounts, hydrateAccounts } from '@murmur/db/accounts';
import {
  dismissSuggestion,
  familiarFollowers,
  followSuggestions,
  removeFromFollowers,
  setAccountNote,
} from '@murmur/db/follows';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  EmptyObject,
  IdParams,
  LenientString,
  Nullable,
  StringOrList,
} from '../../../schemas/atoms.js';
import { Account, FamiliarFollowers, Relationship, Suggestion } from '../../../schemas/entities.js';
import { ERRORS, parseLimit, parseOffset, relationshipWith, toList, userOf } from '../_shared.js';

const tags = ['accounts'];
const IdsQuery = Type.Object({ id: Type.Optional(StringOrList) });

export default async function peopleRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;

  app.get(
    '/api/v1/accounts',
    {
      config: { auth: 'optional', scopes: ['read:accounts'] },
      schema: {
        tags,
        summary: 'Accounts by id (`id[]`, up to 40); unknown ids are left out',
        querystring: IdsQuery,
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request) => {
      const ids = toList(request.query.id).slice(0, 40);
      const accounts = await hydrateAccounts(
        database.replica,
        [...new Set(ids)].filter(isSnowflakeId),
      );
      return accounts.map((a) => serializeAccount(a, origin));
    },
  );

  app.post(
    '/api/v1/accounts/:id/note',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags,
        summary: 'Set your private note about an account (empty: remove it)',
        params: IdParams,
        body: Type.Object({ comment: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))) }),
        response: { 200: Relationship, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      await setAccountNote(database, {
        accountId,
        targetAccountId: request.params.id,
        comment: request.body?.comment ?? '',
      });
      return relationshipWith(database.primary, accountId, request.params.id);
    },
  );

  app.post(
    '/api/v1/accounts/:id/remove_from_followers',
    {
      config: { auth: 'user', scopes: ['write:follows'] },
      schema: {
        tags,
        summary: 'Remove an account from your followers',
        params: IdParams,
        response: { 200: Relationship, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      await removeFromFollowers(database, {
        accountId,
        followerAccountId: request.params.id,
        requestId: request.id,
      });
      return relationshipWith(database.primary, accountId, request.params.id);
    },
  );

  app.get(
    '/api/v1/accounts/familiar_followers',
    {
      config: { auth: 'user', scopes: ['read:follows'] },
      schema: {
        tags,
        summary: 'For each account (`id[]`), the accounts you follow that follow it',
        querystring: IdsQuery,
        response: { 200: Type.Array(FamiliarFollowers), ...ERRORS },
      },
    },
    async (request) => {
      const ids = toList(request.query.id).slice(0, 40);
      const found = await familiarFollowers(database.replica, userOf(request), ids);
      return found.map((entry) => ({
        id: entry.id,
        accounts: entry.accounts.map((a) => serializeAccount(a, origin)),
      }));
    },
  );

  app.get(
    '/api/v1/directory',
    {
      config: { auth: 'optional', scopes: [] },
      schema: {
        tags: ['directory'],
        summary: 'The profile directory: every account, most recently active (or newest) first',
        querystring: Type.Object({
          offset: Type.Optional(LenientString),
          limit: Type.Optional(LenientString),
          order: Type.Optional(LenientString),
          local: Type.Optional(LenientString),
        }),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request) => {
      const accounts = await directoryAccounts(database.replica, {
        order: request.query.order === 'new' ? 'new' : 'active',
        limit: parseLimit(request.query.limit, 40, 80),
        offset: parseOffset(request.query.offset),
      });
      return accounts.map((a) => serializeAccount(a, origin));
    },
  );

  const suggestionTags = ['suggestions'];
  const LimitQuery = Type.Object({ limit: Type.Optional(LenientString) });

  app.get(
    '/api/v2/suggestions',
    {
      config: { auth: 'user', scopes: ['read'] },
      schema: {
        tags: suggestionTags,
        summary: 'Accounts you might follow: followed by those you follow, then the most followed',
        querystring: LimitQuery,
        response: { 200: Type.Array(Suggestion), ...ERRORS },
      },
    },
    async (request) => {
      const found = await followSuggestions(
        database.replica,
        userOf(request),
        parseLimit(request.query.limit, 40, 80),
      );
      return found.map((s) => ({
        source: s.sources.includes('friends_of_friends') ? 'past_interactions' : 'global',
        sources: s.sources,
        account: serializeAccount(s.account, origin),
      }));
    },
  );

  app.get(
    '/api/v1/suggestions',
    {
      config: { auth: 'user', scopes: ['read'] },
      schema: {
        tags: suggestionTags,
        summary: 'Accounts you might follow (v1: accounts only)',
        querystring: LimitQuery,
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request) => {
      const found = await followSuggestions(
        database.replica,
        userOf(request),
        parseLimit(request.query.limit, 40, 80),
      );
      return found.map((s) => serializeAccount(s.account, origin));
    },
  );

  app.delete(
    '/api/v1/suggestions/:id',
    {
      config: { auth: 'user', scopes: ['read'] },
      schema: {
        tags: suggestionTags,
        summary: 'Never suggest this account again',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await dismissSuggestion(database, {
        accountId: userOf(request),
        targetAccountId: request.params.id,
      });
      return {};
    },
  );
}
