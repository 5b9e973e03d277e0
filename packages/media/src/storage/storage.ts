/**
 * Where media files live. Every key is written once and never changed: a processed file's key holds
 * the SHA-256 of its bytes, so a URL always means the same bytes and can be cached for a year. Keys
 * sit under the attachment's id, so deleting an attachment's files never touches another's.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export { SERVED_KEY, servedContentType } from './keys.js';

export interface StoredFile {
  body: Readable;
  size: number;
}

export interface MediaStorage {
  /** For logs: where the files go. */
  readonly description: string;
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The whole file, or null when there is none. */
  read(key: string): Promise<Buffer | null>;
  /** A stream of the file for serving, or null when there is none. */
  open(key: string): Promise<StoredFile | null>;
  /** Deletes the files; keys that do not exist are ignored. */
  delete(keys: readonly string[]): Promise<void>;
}

/** Keys are lower-case paths of safe characters: no `..`, no leading slash, nothing to escape. */
const KEY = /^[a-z0-9_-]+(?:\/[a-z0-9_-]+(?:\.[a-z0-9]+)?)*$/;

export function isValidKey(key: string): boolean {
  return key.length <= 200 && KEY.test(key);
}

export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new Error(`invalid media storage key ${JSON.stringify(key)}`);
}

/** Where an upload waits, as received, until it is processed (never served). */
export function incomingKey(mediaId: string): string {
  return `incoming/${mediaId}`;
}

/** A processed file: `files/<media id>/<sha-256 of the bytes>.<extension>`. */
export function processedKey(mediaId: string, bytes: Buffer, extension: string): string {
  const digest = createHash('sha256').update(bytes).digest('hex');
  return `files/${mediaId}/${digest}.${extension}`;
}

/** An avatar or header: `profiles/<account id>/<sha-256 of the bytes>.<extension>`. */
export function profileImageKey(accountId: string, bytes: Buffer, extension: string): string {
  const digest = createHash('sha256').update(bytes).digest('hex');
  return `profiles/${accountId}/${digest}.${extension}`;
}
