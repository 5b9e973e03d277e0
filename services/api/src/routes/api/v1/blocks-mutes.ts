/**
 * Blocks and mutes (Mastodon's `POST /api/v1/accounts/:id/block|unblock|mute|unmute`,
 * `GET /api/v1/blocks`, `GET /api/v1/mutes`) and domain blocks (`/api/v1/domain_blocks`, stored and
 * listed; they hide nothing until federation brings remote accounts). What they hide is applied by the queries and the notify
 * step in @murmur/db, not here: every reader goes through them.
 */
import {
  blockAccount,
  blockDomain,
  blockedBy,
  domainBlocksOf,
  unblockDomain,
  muteAccount,
  muteConversation,
  mutedAccounts,
  unmuteConversation,
  unblockAccount,
  unmuteAccount,
} from '@murmur/db/safety';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  DateTime,
  EmptyObject,
  IdParams,
  LenientBoolean,
  Nullable,
  PageQuery,
} from '../../../schemas/atoms.js';
import { Account, Relationship, Status } from '../../../schemas/entities.js';
import { loadStatus } from './statuses.js';
import {
  ERRORS,
  pageOf,
  parseBoolean,
  relationshipAfter,
  sendStatus,
  setLinkHeader,
  sendAccountPage,
  userOf,
} from '../_shared.js';
import { HttpError } from '../../../plugins/errors.js';

const tags = ['accounts'];

const MuteBody = Type.Object({
  /** Hide their notifications too; Mastodon's default is true. */
  notifications: Type.Optional(Nullable(LenientBoolean)),
  /** Seconds until the mute ends by itself; 0: never. Form bodies send it as text. */
  duration: Type.Optional(
    Nullable(Type.Union([Type.Integer(), Type.String({ pattern: '^\\s*[0-9]{0,12}\\s*$' })])),
  ),
});

const MutedAccount = Type.Object(
  { ...Account.properties, mute_expires_at: Nullable(DateTime) },
  { description: 'Account, with when its mute ends' },
);

function durationSeconds(raw: number | string | null | undefined): number {
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'number' ? raw : raw.trim() === '' ? 0 : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HttpError(422, {
      error: 'Validation failed: duration must be a whole number of seconds (0: no end)',
    });
  }
  return value;
}

export default async function blockMuteRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const origin = config.publicOrigin;

  for (const [path, run, summary] of [
    ['block', blockAccount, 'Block an account (ends the follows both ways)'],
    ['unblock', unblockAccount, 'Unblock an account'],
  ] as const) {
    app.post(
      `/api/v1/accounts/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:blocks'] },
        schema: { tags, summary, params: IdParams, response: { 200: Relationship, ...ERRORS } },
      },
      async (request) => relationshipAfter(request, (input) => run(database, input)),
    );
  }

  app.post(
    '/api/v1/accounts/:id/mute',
    {
      config: { auth: 'user', scopes: ['write:mutes'] },
      schema: {
        tags,
        summary: 'Mute an account, or change its mute (notifications, duration in seconds)',
        params: IdParams,
        body: MuteBody,
        response: { 200: Relationship, ...ERRORS },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return relationshipAfter(request, (input) =>
        muteAccount(database, {
          ...input,
          notifications:
            body.notifications === undefined || body.notifications === null
              ? true
              : parseBoolean(body.notifications),
          durationSeconds: durationSeconds(body.duration),
        }),
      );
    },
  );

  app.post(
    '/api/v1/accounts/:id/unmute',
    {
      config: { auth: 'user', scopes: ['write:mutes'] },
      schema: {
        tags,
        summary: 'Unmute an account',
        params: IdParams,
        response: { 200: Relationship, ...ERRORS },
      },
    },
    async (request) => relationshipAfter(request, (input) => unmuteAccount(database, input)),
  );

  app.get(
    '/api/v1/blocks',
    {
      config: { auth: 'user', scopes: ['read:blocks'] },
      schema: {
        tags: ['blocks'],
        summary: 'Accounts you block, most recently blocked first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await blockedBy(
        database.replica,
        userOf(request),
        pageOf(request.query, 40, 80),
      );
      return sendAccountPage(request, reply, page);
    },
  );

  app.get(
    '/api/v1/mutes',
    {
      config: { auth: 'user', scopes: ['read:mutes'] },
      schema: {
        tags: ['mutes'],
        summary: 'Accounts you mute, most recently muted first (expired mutes left out)',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(MutedAccount), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await mutedAccounts(
        database.replica,
        userOf(request),
        pageOf(request.query, 40, 80),
      );
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return page.accounts.map(({ account, expiresAt }) => ({
        ...serializeAccount(account, origin),
        mute_expires_at: expiresAt?.toISOString() ?? null,
      }));
    },
  );

  for (const [path, run, summary] of [
    [
      'mute',
      muteConversation,
      'Mute the conversation of a status: no notifications from the thread',
    ],
    ['unmute', unmuteConversation, 'Unmute the conversation of a status'],
  ] as const) {
    app.post(
      `/api/v1/statuses/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:mutes'] },
        schema: {
          tags: ['statuses'],
          summary,
          params: IdParams,
          response: { 200: Status, ...ERRORS },
        },
      },
      async (request, reply) => {
        const accountId = userOf(request);
        await run(database, { accountId, statusId: request.params.id });
        return sendStatus(
          request,
          reply,
          await loadStatus(database.primary, request.params.id, accountId),
        );
      },
    );
  }

  const DomainBody = Type.Object({ domain: Type.Optional(Type.String({ maxLength: 300 })) });
  const domainOf = (request: { body?: { domain?: string } | null; query: { domain?: string } }) => {
    const domain = request.body?.domain ?? request.query.domain;
    if (!domain) throw new HttpError(422, { error: 'Validation failed: Domain is missing' });
    return domain;
  };

  app.get(
    '/api/v1/domain_blocks',
    {
      config: { auth: 'user', scopes: ['read:blocks'] },
      schema: {
        tags: ['domain_blocks'],
        summary: 'Domains you block, most recently blocked first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Type.String()), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await domainBlocksOf(
        database.replica,
        userOf(request),
        pageOf(request.query, 100, 200),
      );
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return page.domains;
    },
  );

  for (const method of ['POST', 'DELETE'] as const) {
    app.route({
      method,
      url: '/api/v1/domain_blocks',
      config: { auth: 'user', scopes: ['write:blocks'] },
      schema: {
        tags: ['domain_blocks'],
        summary: method === 'POST' ? 'Block a domain' : 'Unblock a domain',
        querystring: DomainBody,
        body: Type.Optional(DomainBody),
        response: { 200: EmptyObject, ...ERRORS },
      },
      handler: async (request) => {
        const input = { accountId: userOf(request), domain: domainOf(request) };
        if (method === 'POST') {
          await blockDomain(database, { ...input, localDomain: new URL(origin).hostname });
        } else {
          await unblockDomain(database, input);
        }
        return {};
      },
    });
  }
}
