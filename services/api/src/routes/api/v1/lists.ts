/**
 * Lists: CRUD, members (accounts you follow), the lists holding an account, and a list's timeline.
 * Private to their owner: someone else's list answers 404.
 */
import {
  addListAccounts,
  createList,
  deleteList,
  findOwnList,
  listMembers,
  listsHoldingAccount,
  listsOf,
  listTimeline,
  removeListAccounts,
  updateList,
  type ListView,
} from '@murmur/db/feeds';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  EmptyObject,
  IdParams,
  LenientBoolean,
  LenientString,
  PageQuery,
} from '../../../schemas/atoms.js';
import { Account, Status } from '../../../schemas/entities.js';
import {
  ERRORS,
  pageOf,
  parseBoolean,
  parseLimit,
  sendStatuses,
  setLinkHeader,
  setLinkHeaderFor,
  toList,
  userOf,
} from '../_shared.js';

const tags = ['lists'];

const RepliesPolicy = Type.Union([
  Type.Literal('followed'),
  Type.Literal('list'),
  Type.Literal('none'),
]);

const List = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    replies_policy: RepliesPolicy,
    exclusive: Type.Boolean(),
  },
  { description: 'List' },
);

const ListBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  // Validated by the operation, so a wrong value gets a sentence, not a schema dump.
  replies_policy: Type.Optional(LenientString),
  exclusive: Type.Optional(LenientBoolean),
});

const AccountIds = Type.Union([
  Type.String({ maxLength: 30 }),
  Type.Array(Type.String({ maxLength: 30 }), { maxItems: 250 }),
]);
const AccountIdsBody = Type.Object({ account_ids: Type.Optional(AccountIds) });

function serializeList(list: ListView) {
  return {
    id: list.id,
    title: list.title,
    replies_policy: list.repliesPolicy,
    exclusive: list.exclusive,
  };
}

export default async function listRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;
  const read = { auth: 'user' as const, scopes: ['read:lists'] };
  const write = { auth: 'user' as const, scopes: ['write:lists'] };

  app.get(
    '/api/v1/lists',
    {
      config: read,
      schema: { tags, summary: 'Your lists', response: { 200: Type.Array(List), ...ERRORS } },
    },
    async (request) => (await listsOf(database.primary, userOf(request))).map(serializeList),
  );

  app.post(
    '/api/v1/lists',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a list',
        body: ListBody,
        response: { 200: List, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      const list = await createList(database, {
        accountId: userOf(request),
        title: body.title ?? '',
        ...(body.replies_policy !== undefined ? { repliesPolicy: body.replies_policy } : {}),
        exclusive: parseBoolean(body.exclusive),
      });
      return serializeList(list);
    },
  );

  app.get(
    '/api/v1/lists/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One of your lists',
        params: IdParams,
        response: { 200: List, ...ERRORS },
      },
    },
    async (request) =>
      serializeList(await findOwnList(database.primary, userOf(request), request.params.id)),
  );

  app.put(
    '/api/v1/lists/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename a list, or change its replies policy or exclusivity',
        params: IdParams,
        body: ListBody,
        response: { 200: List, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const list = await updateList(database, {
        accountId: userOf(request),
        listId: request.params.id,
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.replies_policy !== undefined ? { repliesPolicy: body.replies_policy } : {}),
        ...(body.exclusive !== undefined ? { exclusive: parseBoolean(body.exclusive) } : {}),
      });
      return serializeList(list);
    },
  );

  app.delete(
    '/api/v1/lists/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a list',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await deleteList(database, { accountId: userOf(request), listId: request.params.id });
      return {};
    },
  );

  app.get(
    '/api/v1/lists/:id/accounts',
    {
      config: read,
      schema: {
        tags,
        summary: 'The accounts in a list, most recently added first (`limit=0`: all of them)',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page =
        query.limit !== undefined && query.limit.trim() === '0'
          ? { limit: 0 }
          : { ...pageOf(query, 40, 80), limit: parseLimit(query.limit, 40, 80) };
      const members = await listMembers(database.primary, userOf(request), request.params.id, page);
      if (page.limit !== 0) {
        setLinkHeader(request, reply, { first: members.firstCursor, last: members.lastCursor });
      }
      return members.accounts.map((a) => serializeAccount(a, origin));
    },
  );

  for (const [method, run, summary] of [
    ['post', addListAccounts, 'Add accounts you follow to a list'],
    ['delete', removeListAccounts, 'Remove accounts from a list'],
  ] as const) {
    app.route({
      method: method.toUpperCase() as 'POST' | 'DELETE',
      url: '/api/v1/lists/:id/accounts',
      config: write,
      schema: {
        tags,
        summary,
        description: '`account_ids[]` in the body (JSON or form) or the query string.',
        params: IdParams,
        querystring: AccountIdsBody,
        body: Type.Optional(AccountIdsBody),
        response: { 200: EmptyObject, ...ERRORS },
      },
      handler: async (request) => {
        const { params, query, body } = request as typeof request & {
          params: { id: string };
          query: { account_ids?: string | string[] };
          body?: { account_ids?: string | string[] } | null;
        };
        const accountIds = [...toList(body?.account_ids), ...toList(query.account_ids)];
        await run(database, { accountId: userOf(request), listId: params.id, accountIds });
        return {};
      },
    });
  }

  app.get(
    '/api/v1/accounts/:id/lists',
    {
      config: read,
      schema: {
        tags,
        summary: 'Your lists that hold an account',
        params: IdParams,
        response: { 200: Type.Array(List), ...ERRORS },
      },
    },
    async (request) =>
      (await listsHoldingAccount(database.primary, userOf(request), request.params.id)).map(
        serializeList,
      ),
  );

  app.get(
    '/api/v1/timelines/list/:list_id',
    {
      config: { auth: 'user', scopes: ['read:lists'] },
      schema: {
        tags: ['timelines'],
        summary: 'The statuses of a list’s members, newest first',
        params: Type.Object({ list_id: Type.String({ maxLength: 30 }) }),
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      const statuses = await listTimeline(
        database.primary,
        userOf(request),
        request.params.list_id,
        pageOf(request.query, 20, 40),
      );
      setLinkHeaderFor(request, reply, statuses);
      return sendStatuses(request, reply, statuses);
    },
  );
}
