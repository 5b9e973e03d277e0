/**
 * Grouped notifications (Mastodon 4.3+, API version 2): favourites and reblogs of one status, and
 * follows, within 12 hours form one group; mentions stand alone. Keys and paging:
 * packages/db/src/queries/notification-groups.ts.
 */
import { DomainError } from '@murmur/db';
import {
  dismissNotificationGroup,
  getNotificationGroup,
  listNotificationGroupAccounts,
  listNotificationGroups,
  unreadNotificationGroupsCount,
  type NotificationGroupPage,
} from '@murmur/db/notifications';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  partialAccount,
  serializeAccount,
  serializeNotificationGroup,
} from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { EmptyObject, LenientString, PageQuery, StringOrList } from '../../../schemas/atoms.js';
import { Account, GroupedNotificationsResults } from '../../../schemas/entities.js';
import type { Account as AccountEntity } from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  parseLimit,
  sendJsonText,
  setLinkHeader,
  parseBoolean,
  toList,
  userOf,
  viewerOf,
} from '../_shared.js';

const tags = ['notifications'];
const read = { auth: 'user' as const, scopes: ['read:notifications'] };
const write = { auth: 'user' as const, scopes: ['write:notifications'] };

const Filters = {
  types: Type.Optional(StringOrList),
  exclude_types: Type.Optional(StringOrList),
  grouped_types: Type.Optional(StringOrList),
  account_id: Type.Optional(Type.String({ maxLength: 64 })),
};
const ListQuery = Type.Object({
  ...PageQuery,
  ...Filters,
  expand_accounts: Type.Optional(Type.String({ maxLength: 32 })),
  include_filtered: Type.Optional(LenientString),
});
const groupNotFound = () => new DomainError('NotificationNotFound', 'Record not found');
const GroupKeyParams = Type.Object({ group_key: Type.String({ maxLength: 128 }) });

function filtersOf(query: {
  types?: string | string[] | undefined;
  exclude_types?: string | string[] | undefined;
  grouped_types?: string | string[] | undefined;
  account_id?: string | undefined;
  include_filtered?: string | undefined;
}) {
  return {
    // Mastodon's `include_filtered`: also what the notification policy set aside.
    includeFiltered: parseBoolean(query.include_filtered),
    types: toList(query.types),
    excludeTypes: toList(query.exclude_types),
    // Absent (or blank) groups every groupable type; naming only others groups nothing.
    groupedTypes: query.grouped_types === undefined ? undefined : toList(query.grouped_types),
    fromAccountId: query.account_id ?? null,
  };
}

/**
 * GroupedNotificationsResults as JSON text: each account once (with `partial_avatars`, only each
 * group's newest account in full, the others in `partial_accounts`), the statuses from the status
 * writer, the groups newest first.
 */
function sendGroups(
  request: FastifyRequest,
  reply: FastifyReply,
  page: NotificationGroupPage,
  partialAvatars: boolean,
): FastifyReply {
  const { publicOrigin } = request.server.config;
  const full = new Map<string, AccountEntity>();
  const partial = new Map<string, AccountEntity>();
  for (const group of page.groups) {
    group.sampleAccounts.forEach((view, index) => {
      if (full.has(view.id)) return;
      const account = serializeAccount(view, publicOrigin);
      if (partialAvatars && index > 0) partial.set(view.id, account);
      else {
        full.set(view.id, account);
        partial.delete(view.id);
      }
    });
  }
  const statuses = request.server.statusJson.statuses(page.statuses, viewerOf(request));
  const partialAccounts = partialAvatars
    ? `,"partial_accounts":${JSON.stringify([...partial.values()].map(partialAccount))}`
    : '';
  return sendJsonText(
    reply,
    `{"accounts":${JSON.stringify([...full.values()])}${partialAccounts},"statuses":${statuses},` +
      `"notification_groups":${JSON.stringify(page.groups.map(serializeNotificationGroup))}}`,
  );
}

export default async function groupedNotificationRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v2/notifications',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your notifications in groups, newest first',
        querystring: ListQuery,
        response: { 200: GroupedNotificationsResults, ...ERRORS },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await listNotificationGroups(
        database.replica,
        userOf(request),
        pageOf(query, 40, 80),
        filtersOf(query),
      );
      // Older pages continue below the oldest notification this page covered; newer ones above
      // its newest. A group whose older notifications fall below may show up again on the next page.
      const groups = page.groups;
      setLinkHeader(request, reply, {
        first: groups.reduce<string | null>(
          (max, g) => (max === null || BigInt(g.pageMaxId) > BigInt(max) ? g.pageMaxId : max),
          null,
        ),
        last: groups.reduce<string | null>(
          (min, g) => (min === null || BigInt(g.pageMinId) < BigInt(min) ? g.pageMinId : min),
          null,
        ),
      });
      return sendGroups(request, reply, page, query.expand_accounts === 'partial_avatars');
    },
  );

  app.get(
    '/api/v2/notifications/unread_count',
    {
      config: read,
      schema: {
        tags,
        summary: 'How many notification groups came after the notifications marker (capped)',
        querystring: Type.Object({ limit: Type.Optional(LenientString), ...Filters }),
        response: { 200: Type.Object({ count: Type.Integer() }), ...ERRORS },
      },
    },
    async (request) => ({
      count: await unreadNotificationGroupsCount(
        database.replica,
        userOf(request),
        parseLimit(request.query.limit, 100, 1000),
        filtersOf(request.query),
      ),
    }),
  );

  app.get(
    '/api/v2/notifications/:group_key',
    {
      config: read,
      schema: {
        tags,
        summary: 'One notification group',
        params: GroupKeyParams,
        response: { 200: GroupedNotificationsResults, ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await getNotificationGroup(
        database.replica,
        userOf(request),
        request.params.group_key,
      );
      if (page === null) throw groupNotFound();
      return sendGroups(request, reply, page, false);
    },
  );

  app.get(
    '/api/v2/notifications/:group_key/accounts',
    {
      config: read,
      schema: {
        tags,
        summary: 'The accounts of a notification group, newest first',
        params: GroupKeyParams,
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request) => {
      const accounts = await listNotificationGroupAccounts(
        database.replica,
        userOf(request),
        request.params.group_key,
        80,
      );
      if (accounts === null || accounts.length === 0) throw groupNotFound();
      return accounts.map((account) => serializeAccount(account, app.config.publicOrigin));
    },
  );

  app.post(
    '/api/v2/notifications/:group_key/dismiss',
    {
      config: write,
      schema: {
        tags,
        summary: 'Dismiss every notification of a group',
        params: GroupKeyParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await dismissNotificationGroup(database, {
        accountId: userOf(request),
        groupKey: request.params.group_key,
      });
      return {};
    },
  );
}
