/**
 * Request bodies in the three encodings Mastodon clients use: JSON (masto.js, megalodon), forms and
 * multipart (TootSDK posts statuses as multipart). Forms and multipart fields are read Rails-style
 * (`media_ids[]=1&media_ids[]=2`), like query strings. Blank values count as absent everywhere.
 * Uploaded files are not supported yet and are discarded.
 *
 * Before any route sees them, the query, path parameters and body are refused with a 400 when they
 * hold a NUL character (PostgreSQL text cannot) or nest deeper than any client sends, and a
 * malformed multipart body is a 400 too: bad input is the client's error, never a 500.
 */
import multipart from '@fastify/multipart';
import { findInputProblem, INPUT_PROBLEM_MESSAGES } from '@murmur/service-kit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';
import { dropBlankValues, parseParams, parseQueryString } from './params.js';

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

async function multipartFields(request: FastifyRequest): Promise<[string, string][]> {
  const fields: [string, string][] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') fields.push([part.fieldname, String(part.value)]);
      else part.file.resume();
    }
  } catch (error) {
    // Limits keep their own 413; a missing boundary or a truncated body is malformed input.
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) throw error;
    throw badRequest(`Malformed multipart body: ${(error as Error).message}`);
  }
  return fields;
}

export const bodyParsing = fp(
  async (app: ApiInstance) => {
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
      limits: { fields: 200, fieldSize: 100_000, files: 8, fileSize: 10_000_000 },
    });

    app.addHook('preValidation', async (request) => {
      if (request.isMultipart()) request.body = parseParams(await multipartFields(request));
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
