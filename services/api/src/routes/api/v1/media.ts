/**
 * Uploads (Mastodon's media API). An upload is checked from its header (type, bytes, pixels,
 * frames: refusals are immediate), stored as received, and recorded with a MediaUploaded event;
 * the worker processes it. `POST /api/v2/media` answers 202 at once; the older `POST /api/v1/media`
 * waits for the worker (up to 30 s). See ARCHITECTURE.md for why nothing is decoded in the API.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '@murmur/db';
import {
  createMediaUpload,
  deleteUnattachedMedia,
  findOwnMedia,
  updateMedia,
  type Focus,
} from '@murmur/db/media';
import { type MediaView } from '@murmur/db/statuses';
import { incomingKey, inspectImage, MediaRejected } from '@murmur/media';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { serializeMediaAttachment } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { MediaAttachment } from '../../../schemas/entities.js';
import { Id, Nullable } from '../../../schemas/atoms.js';
import { ERRORS, userOf } from '../_shared.js';

const tags = ['media'];

const UploadBody = Type.Object({
  description: Type.Optional(Nullable(Type.String())),
  focus: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
});
const UpdateBody = UploadBody;
const IdParams = Type.Object({ id: Id });

/** `"x,y"`, each from -1 to 1 (the database checks the range). */
export function parseFocus(raw: string | null | undefined): Focus | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) {
    throw new DomainError(
      'InvalidField',
      'Focus must be two numbers from -1.0 to 1.0, such as "0.5,-0.25"',
      'focus',
    );
  }
  return { x: parts[0]!, y: parts[1]! };
}

/** A file refused for what it is: 413 for its size, 422 for the rest, with the reason. */
export function refusal(error: unknown): never {
  if (error instanceof MediaRejected) {
    throw new HttpError(error.statusCode, { error: error.message });
  }
  throw error;
}

export function requireFile(request: FastifyRequest, field: string): Buffer {
  const upload = request.uploads[field];
  if (!upload || upload.bytes.length === 0) {
    throw new DomainError('InvalidField', `Validation failed: File can't be blank`, field);
  }
  return upload.bytes;
}

const STILL_PROCESSING_POLL_MS = 100;
const SYNCHRONOUS_WAIT_MS = 30_000;

export default async function mediaRoutes(app: ApiInstance): Promise<void> {
  const { database, mediaStorage, config } = app;
  const origin = config.publicOrigin;
  const entity = (media: MediaView) => serializeMediaAttachment(media, origin);

  /** 200 when processed, 206 while pending, 422 with the reason when processing refused it. */
  function sendByState(reply: FastifyReply, media: MediaView, pendingStatus: 202 | 206) {
    if (media.processing === 'failed') {
      throw new HttpError(422, { error: media.failureReason ?? 'The file could not be processed' });
    }
    return reply.code(media.processing === 'processed' ? 200 : pendingStatus).send(entity(media));
  }

  async function upload(request: FastifyRequest, body: Static<typeof UploadBody>) {
    const bytes = requireFile(request, 'file');
    await inspectImage(bytes).catch(refusal);
    const focus = parseFocus(body.focus);
    const key = incomingKey(randomUUID());
    await mediaStorage.put(key, bytes, 'application/octet-stream');
    return createMediaUpload(database, {
      accountId: userOf(request),
      incomingKey: key,
      description: body.description ?? null,
      ...(focus === undefined ? {} : { focus }),
      requestId: request.id,
    });
  }

  const uploadSchema = {
    consumes: ['multipart/form-data'],
    body: UploadBody,
    response: { 200: MediaAttachment, 202: MediaAttachment, ...ERRORS },
  };

  app.post(
    '/api/v2/media',
    {
      config: { auth: 'user', scopes: ['write:media'] },
      schema: {
        tags,
        summary: 'Upload a photo (processed in the background)',
        description:
          'Multipart `file` (JPEG, PNG, GIF, WebP or AVIF; at most 16 MB and 33 MP), `description` (alt text), `focus` ("x,y"). 202 with `url: null`: poll `GET /api/v1/media/:id` until 200.',
        ...uploadSchema,
      },
    },
    async (request, reply) => sendByState(reply, await upload(request, request.body), 202),
  );

  app.post(
    '/api/v1/media',
    {
      config: { auth: 'user', scopes: ['write:media'] },
      schema: {
        tags,
        summary: 'Upload a photo and wait until it is processed',
        description: 'As `POST /api/v2/media`, but answers once the file is processed.',
        ...uploadSchema,
      },
    },
    async (request, reply) => {
      const accountId = userOf(request);
      let media = await upload(request, request.body);
      const deadline = Date.now() + SYNCHRONOUS_WAIT_MS;
      while (media.processing === 'pending' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, STILL_PROCESSING_POLL_MS));
        media = (await findOwnMedia(database.primary, accountId, media.id)) ?? media;
      }
      return sendByState(reply, media, 202);
    },
  );

  app.get(
    '/api/v1/media/:id',
    {
      config: { auth: 'user', scopes: ['write:media'] },
      schema: {
        tags,
        summary: 'One of your uploads: 206 while it is processed, 200 when ready',
        params: IdParams,
        response: { 200: MediaAttachment, 206: MediaAttachment, ...ERRORS },
      },
    },
    async (request, reply) => {
      const media = await findOwnMedia(database.primary, userOf(request), request.params.id);
      if (!media) throw new DomainError('MediaNotFound', 'Record not found');
      return sendByState(reply, media, 206);
    },
  );

  app.put(
    '/api/v1/media/:id',
    {
      config: { auth: 'user', scopes: ['write:media'] },
      schema: {
        tags,
        summary: 'Change the alt text or focal point of an upload not yet in a post',
        params: IdParams,
        body: UpdateBody,
        response: { 200: MediaAttachment, 206: MediaAttachment, ...ERRORS },
      },
    },
    async (request, reply) => {
      const focus = parseFocus(request.body.focus);
      const media = await updateMedia(database, {
        accountId: userOf(request),
        mediaId: request.params.id,
        ...(request.body.description === undefined
          ? {}
          : { description: request.body.description }),
        ...(focus === undefined ? {} : { focus }),
      });
      return sendByState(reply, media, 206);
    },
  );

  app.delete(
    '/api/v1/media/:id',
    {
      config: { auth: 'user', scopes: ['write:media'] },
      schema: {
        tags,
        summary: 'Delete an upload not yet in a post',
        params: IdParams,
        response: { 200: Type.Object({}), ...ERRORS },
      },
    },
    async (request) => {
      const keys = await deleteUnattachedMedia(database, {
        accountId: userOf(request),
        mediaId: request.params.id,
      });
      // The row is gone: nothing points at these files any more.
      await mediaStorage.delete(keys);
      return {};
    },
  );
}
