/**
 * Media files at the public origin: `GET /media/<storage key>`. Only processed files are served
 * (their keys name their type; uploads as received never are), as the image type the processing
 * wrote, with `nosniff` and a sandboxing CSP (plugins/security-headers.ts), cached for a year: a
 * key's bytes never change. With MEDIA_PUBLIC_URL set (a CDN, or the bucket's own address) the
 * route sends clients there instead.
 */
import { servedContentType } from '@murmur/media';
import Type from 'typebox';
import { MEDIA_PATH_PREFIX } from '../../entities/index.js';
import type { ApiInstance } from '../../plugins/context.js';
import { NOT_FOUND_BODY } from '../../plugins/errors.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export default async function mediaFileRoutes(app: ApiInstance): Promise<void> {
  const { mediaStorage, config } = app;
  const publicBase = config.MEDIA_PUBLIC_URL?.replace(/\/+$/, '');

  app.get(
    `${MEDIA_PATH_PREFIX}*`,
    {
      config: { auth: 'none' },
      schema: {
        tags: ['media'],
        summary: 'A processed media file',
        params: Type.Object({ '*': Type.String({ maxLength: 200 }) }),
        hide: true,
      },
    },
    async (request, reply) => {
      const key = request.params['*'];
      const contentType = servedContentType(key);
      if (contentType === null) return reply.code(404).send(NOT_FOUND_BODY);
      if (publicBase) {
        return reply.header('cache-control', IMMUTABLE).redirect(`${publicBase}/${key}`, 301);
      }
      const file = await mediaStorage.open(key);
      if (!file) return reply.code(404).send(NOT_FOUND_BODY);
      return reply
        .type(contentType)
        .header('content-length', file.size)
        .header('cache-control', IMMUTABLE)
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(file.body);
    },
  );
}
