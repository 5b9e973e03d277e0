/**
 * Multipart forms (the compose form with photos): the text fields become `request.body`, as a
 * urlencoded form would, and the files `request.photos` in the order of their fields. A file over
 * 16 MB is refused with a 413 page before the rest is read.
 */
import { MEDIA_LIMITS } from '@murmur/media';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';

export interface Photo {
  /** The form field it came in (`photo_1` … `photo_4`). */
  field: string;
  bytes: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    photos: Photo[];
  }
}

export function registerPhotoUploads(app: FastifyInstance): void {
  app.decorateRequest('photos', null as unknown as Photo[]);
  app.addHook('preValidation', async (request) => {
    request.photos = [];
    if (!request.isMultipart()) return;
    const fields: Record<string, string> = {};
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new HttpError(
            413,
            `A photo is too large (at most ${MEDIA_LIMITS.maxUploadBytes / 1024 / 1024} MB).`,
          );
        }
        throw error;
      }
      // A file input left empty still sends a part, with no bytes.
      if (bytes.length > 0) request.photos.push({ field: part.fieldname, bytes });
    }
    request.body = fields;
  });
}
