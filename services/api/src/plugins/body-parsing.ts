/**
 * Request bodies in the three encodings Mastodon clients use: JSON (masto.js, megalodon), forms and
 * multipart (TootSDK posts statuses as multipart). Forms and multipart fields are read Rails-style
 * (`media_ids[]=1&media_ids[]=2`), like query strings. Blank values count as absent everywhere.
 * Uploaded files are not supported yet and are discarded.
 */
import multipart from '@fastify/multipart';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';
import { dropBlankValues, parseParams, parseQueryString } from './params.js';

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
      if (request.isMultipart()) {
        const fields: [string, string][] = [];
        for await (const part of request.parts()) {
          if (part.type === 'field') fields.push([part.fieldname, String(part.value)]);
          else part.file.resume();
        }
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
      dropBlankValues(request.body);
      dropBlankValues(request.query);
    });
  },
  { name: 'murmur-body-parsing' },
);
