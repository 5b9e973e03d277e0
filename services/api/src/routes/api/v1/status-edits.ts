/** Editing a status: the edit itself, its history and the source text an editor starts from. */
import { DomainError } from '@murmur/db';
import { resolveMentionedAccounts } from '@murmur/federation';
import { editStatus, statusRevisions } from '@murmur/db/statuses';
import { findVisibleStatus } from '@murmur/db/timelines';
import Type from 'typebox';
import { serializeStatusHistory, serializeStatusSource } from '../../../entities/status-edit.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { parseFocus } from './media.js';
import { IdParams, LenientBoolean, Nullable, StringOrList } from '../../../schemas/atoms.js';
import { Status, StatusEdit, StatusSource } from '../../../schemas/entities.js';
import { ERRORS, parseBoolean, sendStatus, toList, userOf, viewerOf } from '../_shared.js';
import { LANGUAGE, pollInput, PollParams } from './statuses.js';

const tags = ['statuses'];

const EditStatusBody = Type.Object({
  status: Type.Optional(Nullable(Type.String())),
  spoiler_text: Type.Optional(Nullable(Type.String())),
  sensitive: Type.Optional(Nullable(LenientBoolean)),
  language: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  media_ids: Type.Optional(Nullable(StringOrList)),
  // Apps send the poll and the descriptions back with every edit (unchanged ones change nothing).
  poll: Type.Optional(Nullable(PollParams)),
  media_attributes: Type.Optional(
    Nullable(
      Type.Array(
        Type.Object({
          id: Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]),
          description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
          focus: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
        }),
        { maxItems: 20 },
      ),
    ),
  ),
});

function notFound(): DomainError {
  return new DomainError('StatusNotFound', 'Record not found');
}

export default async function statusEditRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;

  app.put(
    '/api/v1/statuses/:id',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags,
        summary: 'Edit one of your statuses',
        description:
          'Text, content warning, sensitivity and language, with the same rules as posting; mentions and hashtags follow the new text. A `poll` with other options replaces the poll and discards its votes, as Mastodon does. `media_ids` (up to 4, in order) adds the poster’s own unattached processed uploads, removes and reorders attachments; left out, the attachments stay. `media_attributes[]` (`id`, `description`, `focus` as `x,y`) changes those the status keeps. Each change of attachments is a revision: the history shows the attachments of each.',
        params: IdParams,
        body: EditStatusBody,
        response: { 200: Status, ...ERRORS },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.status != null) {
        await resolveMentionedAccounts(
          app.remoteAccounts,
          body.status,
          new URL(config.publicOrigin).host,
        );
      }
      const view = await editStatus(
        database,
        {
          accountId: userOf(request),
          statusId: request.params.id,
          ...(body.status == null ? {} : { text: body.status }),
          ...(body.spoiler_text === undefined ? {} : { spoilerText: body.spoiler_text ?? '' }),
          ...(body.sensitive == null ? {} : { sensitive: parseBoolean(body.sensitive) }),
          ...(body.language == null
            ? {}
            : { language: LANGUAGE.test(body.language) ? body.language : null }),
          ...(body.media_ids === undefined
            ? {}
            : { mediaIds: toList(body.media_ids ?? undefined).map(String) }),
          ...(body.poll ? { poll: pollInput(body.poll) } : {}),
          ...(body.media_attributes
            ? {
                mediaAttributes: body.media_attributes.map((m) => ({
                  id: String(m.id),
                  ...(m.description === undefined ? {} : { description: m.description }),
                  ...(m.focus === undefined ? {} : { focus: parseFocus(m.focus) }),
                })),
              }
            : {}),
          requestId: request.id,
        },
        { maxCharacters: config.MAX_STATUS_CHARACTERS },
      );
      return sendStatus(request, reply, view);
    },
  );

  app.get(
    '/api/v1/statuses/:id/history',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'The revisions of a status, the original first',
        params: IdParams,
        response: { 200: Type.Array(StatusEdit), ...ERRORS },
      },
    },
    async (request) => {
      const status = await findVisibleStatus(
        database.replica,
        request.params.id,
        viewerOf(request),
      );
      if (!status || status.reblog !== null) throw notFound();
      const revisions = await statusRevisions(database.replica, status.id);
      return serializeStatusHistory(status, revisions, config.publicOrigin);
    },
  );

  app.get(
    '/api/v1/statuses/:id/source',
    {
      config: { auth: 'user', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'The plain text a status was written from, for editing it',
        params: IdParams,
        response: { 200: StatusSource, ...ERRORS },
      },
    },
    async (request) => {
      const status = await findVisibleStatus(
        database.primary,
        request.params.id,
        viewerOf(request),
      );
      if (!status || status.reblog !== null) throw notFound();
      return serializeStatusSource(status);
    },
  );
}
