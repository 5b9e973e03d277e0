/** Statuses: post, read, delete, thread context, favourite and reblog, and who did so. */
import { DomainError, type Executor } from '@murmur/db';
import { resolveMentionedAccounts } from '@murmur/federation';
import {
  createStatus,
  deleteStatus,
  favouritedBy,
  favouriteStatus,
  getVisibleStatus,
  hydrateStatuses,
  rebloggedBy,
  reblogStatus,
  scheduleStatus,
  unfavouriteStatus,
  unreblogStatus,
  type PollInput,
  type StatusView,
  type Visibility,
} from '@murmur/db/statuses';
import { statusContext, findVisibleStatus } from '@murmur/db/timelines';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { serializeStatus } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import {
  IdParams,
  LenientBoolean,
  Nullable,
  PageQuery,
  StringOrList,
} from '../../../schemas/atoms.js';
import { Account, Context, ScheduledStatus, Status } from '../../../schemas/entities.js';
import { serializeScheduledStatus } from '../../../entities/scheduled-status.js';
import { parseScheduledAt } from './scheduled-statuses.js';
import {
  entityContext,
  ERRORS,
  pageOf,
  parseBoolean,
  sendContext,
  sendStatus,
  sendAccountPage,
  toList,
  userOf,
  viewerOf,
} from '../_shared.js';

const tags = ['statuses'];

/** JSON clients sometimes send ids as numbers. */
const IdInput = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]);

/** `poll[options][]`, `poll[expires_in]` (seconds), `poll[multiple]`, `poll[hide_totals]`. */
export const PollParams = Type.Object({
  options: Type.Union([
    Type.String({ maxLength: 10_000 }),
    Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 20 }),
  ]),
  expires_in: Type.Union([Type.Integer(), Type.String({ maxLength: 16 })]),
  multiple: Type.Optional(Nullable(LenientBoolean)),
  hide_totals: Type.Optional(Nullable(LenientBoolean)),
});

/** A poll's parameters as the operations take them. */
export function pollInput(params: Static<typeof PollParams>): PollInput {
  return {
    options: toList(params.options),
    expiresIn: Number(params.expires_in),
    multiple: parseBoolean(params.multiple),
    hideTotals: parseBoolean(params.hide_totals),
  };
}

const CreateStatusBody = Type.Object({
  status: Type.Optional(Nullable(Type.String())),
  in_reply_to_id: Type.Optional(Nullable(IdInput)),
  sensitive: Type.Optional(Nullable(LenientBoolean)),
  spoiler_text: Type.Optional(Nullable(Type.String())),
  visibility: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  language: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  media_ids: Type.Optional(Nullable(StringOrList)),
  poll: Type.Optional(Nullable(PollParams)),
  scheduled_at: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
});

const ReblogBody = Type.Object({
  visibility: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
});

export const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?$/;

/** Loads one status as the viewer sees it; the caller checked visibility or just wrote it. */
export async function loadStatus(
  executor: Executor,
  id: string,
  viewerId: string | null,
): Promise<StatusView> {
  const [view] = await hydrateStatuses(executor, [id], viewerId);
  if (!view) throw new DomainError('StatusNotFound', 'Record not found');
  return view;
}

export default async function statusRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const publicHost = new URL(config.publicOrigin).host;

  const respond = async (request: FastifyRequest, reply: FastifyReply, id: string) =>
    sendStatus(request, reply, await loadStatus(database.primary, id, viewerOf(request)));

  app.post(
    '/api/v1/statuses',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags,
        summary: 'Post a status',
        description:
          'Accepts JSON, form and multipart bodies. An `Idempotency-Key` header returns the same status for a repeated request within an hour. `media_ids`: up to 4 of the poster’s own processed uploads, in order. `poll`: options, `expires_in` (seconds), `multiple`, `hide_totals`, within the limits of `/api/v2/instance` (not with attachments). With `scheduled_at` (at least 5 minutes ahead) nothing is posted yet: the answer is a ScheduledStatus, posted at that time.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 512 })) }),
        body: CreateStatusBody,
        response: { 200: Type.Union([Status, ScheduledStatus]), ...ERRORS },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // A malformed or unknown id is createStatus's StatusNotFound (404), like a missing post.
      const inReplyToId = body.in_reply_to_id == null ? null : String(body.in_reply_to_id);
      const visibility = (body.visibility ?? undefined) as Visibility | undefined;
      const language = body.language && LANGUAGE.test(body.language) ? body.language : null;
      const input = {
        accountId: userOf(request),
        text: body.status ?? '',
        visibility,
        inReplyToId,
        spoilerText: body.spoiler_text ?? '',
        ...(body.sensitive == null ? {} : { sensitive: parseBoolean(body.sensitive) }),
        language,
        mediaIds: toList(body.media_ids ?? undefined).map(String),
        poll: body.poll ? pollInput(body.poll) : null,
        applicationId: request.auth?.applicationId ?? null,
        requestId: request.id,
      };
      const options = { maxCharacters: config.MAX_STATUS_CHARACTERS };
      if (body.scheduled_at) {
        const scheduled = await scheduleStatus(
          database,
          { ...input, scheduledAt: parseScheduledAt(body.scheduled_at) },
          options,
        );
        return serializeScheduledStatus(scheduled, config.publicOrigin);
      }
      // Remote accounts it mentions are looked up first (bounded), so the write finds them.
      await resolveMentionedAccounts(app.remoteAccounts, input.text, publicHost);
      const created = await createStatus(
        database,
        { ...input, idempotencyKey: request.headers['idempotency-key'] ?? null },
        options,
      );
      return sendStatus(request, reply, created.view);
    },
  );

  app.get(
    '/api/v1/statuses/:id',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: { tags, summary: 'A status', params: IdParams, response: { 200: Status, ...ERRORS } },
    },
    async (request, reply) => {
      const status = await findVisibleStatus(
        database.replica,
        request.params.id,
        viewerOf(request),
      );
      if (!status) throw new DomainError('StatusNotFound', 'Record not found');
      return sendStatus(request, reply, status);
    },
  );

  app.delete(
    '/api/v1/statuses/:id',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags,
        summary: 'Delete one of your statuses',
        description: 'Returns the deleted status with its source `text`, for "delete and redraft".',
        params: IdParams,
        response: { 200: Status, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const [before] = await hydrateStatuses(database.primary, [request.params.id], accountId);
      await deleteStatus(database, {
        accountId,
        statusId: request.params.id,
        requestId: request.id,
      });
      if (!before) throw new DomainError('StatusNotFound', 'Record not found');
      return serializeStatus(before, entityContext(request), { includeText: true });
    },
  );

  app.get(
    '/api/v1/statuses/:id/context',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'Ancestors and descendants of a status',
        params: IdParams,
        response: { 200: Context, ...ERRORS },
      },
    },
    async (request, reply) => {
      const thread = await statusContext(database.replica, request.params.id, viewerOf(request));
      if (!thread) throw new DomainError('StatusNotFound', 'Record not found');
      return sendContext(request, reply, thread);
    },
  );

  const actions = [
    {
      path: 'favourite',
      summary: 'Favourite a status',
      scope: 'write:favourites',
      run: favouriteStatus,
    },
    {
      path: 'unfavourite',
      summary: 'Undo a favourite',
      scope: 'write:favourites',
      run: unfavouriteStatus,
    },
    { path: 'unreblog', summary: 'Undo a reblog', scope: 'write:statuses', run: unreblogStatus },
  ] as const;
  for (const action of actions) {
    app.post(
      `/api/v1/statuses/:id/${action.path}`,
      {
        config: { auth: 'user', scopes: [action.scope] },
        schema: {
          tags,
          summary: action.summary,
          params: IdParams,
          response: { 200: Status, ...ERRORS },
        },
      },
      async (request, reply) => {
        const row = await action.run(database, {
          accountId: userOf(request),
          statusId: request.params.id,
          requestId: request.id,
        });
        return respond(request, reply, row.id);
      },
    );
  }

  app.post(
    '/api/v1/statuses/:id/reblog',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags,
        summary: 'Reblog (boost) a status',
        description: 'Returns the new wrapper status, whose `reblog` is the original.',
        params: IdParams,
        body: ReblogBody,
        response: { 200: Status, ...ERRORS },
      },
    },
    async (request, reply) => {
      const visibility = (request.body.visibility ?? undefined) as Visibility | undefined;
      const wrapper = await reblogStatus(database, {
        accountId: userOf(request),
        statusId: request.params.id,
        requestId: request.id,
        ...(visibility ? { visibility } : {}),
      });
      return respond(request, reply, wrapper.id);
    },
  );

  const lists = [
    { path: 'favourited_by', summary: 'Who favourited a status', load: favouritedBy },
    { path: 'reblogged_by', summary: 'Who reblogged a status', load: rebloggedBy },
  ] as const;
  for (const list of lists) {
    app.get(
      `/api/v1/statuses/:id/${list.path}`,
      {
        config: { auth: 'optional', scopes: ['read:statuses'] },
        schema: {
          tags,
          summary: list.summary,
          params: IdParams,
          querystring: Type.Object(PageQuery),
          response: { 200: Type.Array(Account), ...ERRORS },
        },
      },
      async (request, reply) => {
        const status = await getVisibleStatus(
          database.replica,
          request.params.id,
          viewerOf(request),
        );
        const page = await list.load(
          database.replica,
          status.reblogOfId ?? status.id,
          pageOf(request.query, 40, 80),
        );
        return sendAccountPage(request, reply, page);
      },
    );
  }
}
