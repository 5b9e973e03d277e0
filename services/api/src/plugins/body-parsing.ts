/**
 * Request bodies in the three encodings Mastodon clients use: JSON (masto.js, megalodon), forms and
 * multipart (TootSDK posts statuses as multipart). Forms and multipart fields are read Rails-style
 * (`media_ids[]=1&media_ids[]=2`), like query strings. Blank values count as absent everywhere.
 * The files routes take (`file`, `avatar`, `header`) are read into `request.uploads`, at most 16 MB
 * each (larger: 413 before the rest is read); other files are discarded.
 *
 * Before any route sees them, the query, path parameters and body are refused with a 400 when they
 * hold a NUL character (PostgreSQL text cannot) or nest deeper than any client sends, and a
 * malformed multipart body is a 400 too: bad input is the client's error, never a 500.
 */
import multipart from '@fastify/multipart';
import { MEDIA_LIMITS } from '@murmur/media';
import { findInputProblem, INPUT_PROBLEM_MESSAGES } from '@murmur/service-kit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';
import { HttpError } from './errors.js';
import { dropBlankValues, parseParams, parseQueryString } from './params.js';

/** A file of a multipart body. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  bytes: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploads: Record<string, UploadedFile>;
  }
}

const UPLOAD_FIELDS = new Set(['file', 'avatar', 'header']);

function tooLarge(): HttpError {
  const megabytes = MEDIA_LIMITS.maxUploadBytes / 1024 / 1024;
  return new HttpError(413, { error: `The file is too large (at most ${megabytes} MB)` });
}

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/** The fields of a multipart body, and the files routes take; a malformed body is a 400. */
async function readMultipart(
  request: FastifyRequest,
): Promise<{ fields: [string, string][]; uploads: Record<string, UploadedFile> }> {
  const fields: [string, string][] = [];
  const uploads: Record<string, UploadedFile> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') fields.push([part.fieldname, String(part.value)]);
      else if (UPLOAD_FIELDS.has(part.fieldname) && !(part.fieldname in uploads)) {
        let bytes: Buffer;
        try {
          bytes = await part.toBuffer();
        } catch (error) {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
          throw error;
        }
        uploads[part.fieldname] = { filename: part.filename, mimetype: part.mimetype, bytes };
      } else part.file.resume();
    }
  } catch (error) {
    // Limits keep their own 413; a missing boundary or a truncated body is malformed input.
    if (error instanceof HttpError) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) throw error;
    throw badRequest(`Malformed multipart body: ${(error as Error).message}`);
  }
  return { fields, uploads };
}

export const bodyParsing = fp(
  async (app: ApiInstance) => {
    app.decorateRequest('uploads', null as unknown as Record<string, UploadedFile>);
    const json = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    // Some clients send `Content-Type: application/json` with an empty body on POST /favourite & co.
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (typeof body === 'string' && body.trim() === '') return done(null, {});
      json(request, body as string, done);
    });
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, parseQueryString(body as string));
      },
    );
    await app.register(multipart, {
      limits: { fields: 200, fieldSize: 100_000, files: 8, fileSize: MEDIA_LIMITS.maxUploadBytes },
    });

    app.addHook('preValidation', async (request) => {
      request.uploads = {};
      if (request.isMultipart()) {
        const { fields, uploads } = await readMultipart(request);
        request.uploads = uploads;
        request.body = parseParams(fields);
      }
      // POST /favourite & co. often come with no body at all: validate them as an empty one.
      if (
        (request.body === undefined || request.body === null) &&
        request.method !== 'GET' &&
        request.method !== 'HEAD'
      ) {
        request.body = {};
      }
      for (const input of [request.query, request.params, request.body]) {
        const problem = findInputProblem(input);
        if (problem) throw badRequest(INPUT_PROBLEM_MESSAGES[problem]);
      }
      dropBlankValues(request.body);
      dropBlankValues(request.query);
    });
  },
  { name: 'murmur-body-parsing' },
);
