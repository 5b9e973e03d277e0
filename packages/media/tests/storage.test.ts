/**
 * The storage contract, run against the local filesystem and against a real S3-compatible server
 * (s3rver, which speaks the S3 REST protocol on a local port) through the AWS SDK, path-style as
 * MinIO and Ceph RGW are addressed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '@murmur/devkit/net';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  incomingKey,
  LocalStorage,
  processedKey,
  S3Storage,
  servedContentType,
  type MediaStorage,
} from '../src/index.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

async function text(storage: MediaStorage, key: string): Promise<string | null> {
  const file = await storage.open(key);
  if (!file) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of file.body) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  expect(file.size).toBe(body.length);
  return body.toString();
}

function contract(name: string, make: () => MediaStorage) {
  describe(name, () => {
    it('stores, reads, streams and deletes files by key', async () => {
      const storage = make();
      const bytes = Buffer.from('processed image bytes');
      const key = processedKey('123', bytes, 'jpg');
      await storage.put(key, bytes, 'image/jpeg');
      expect((await storage.read(key))?.toString()).toBe('processed image bytes');
      expect(await text(storage, key)).toBe('processed image bytes');
      await storage.put(incomingKey('123'), Buffer.from('upload'), 'application/octet-stream');
      await storage.delete([key, incomingKey('123'), 'files/9/never-written.png']);
      expect(await storage.read(key)).toBeNull();
      expect(await storage.open(incomingKey('123'))).toBeNull();
    });

    it('refuses keys that could leave its folder or bucket prefix', async () => {
      const storage = make();
      for (const key of ['../etc/passwd', '/abs', 'files/../../x', 'files/a b', 'Files/X']) {
        await expect(storage.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(
          /invalid media storage key/,
        );
      }
    });
  });
}

let directory: string;
let s3: S3rver;
let endpoint: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'murmur-media-'));
  const port = await freePort();
  s3 = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: join(directory, 's3rver'),
  });
  await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: 'murmur-media' }));
  client.destroy();
});

afterAll(async () => {
  await s3?.close();
  await rm(directory, { recursive: true, force: true });
});

contract('local filesystem', () => new LocalStorage(join(directory, 'local')));
contract(
  'S3-compatible server',
  () =>
    new S3Storage({
      bucket: 'murmur-media',
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      prefix: 'murmur/',
      ...credentials,
    }),
);

describe('keys', () => {
  it('name processed files by their content, and serve only those', () => {
    const a = processedKey('42', Buffer.from('a'), 'png');
    expect(a).toBe(processedKey('42', Buffer.from('a'), 'png'));
    expect(a).not.toBe(processedKey('42', Buffer.from('b'), 'png'));
    expect(a).toMatch(/^files\/42\/[0-9a-f]{64}\.png$/);
    expect(servedContentType(a)).toBe('image/png');
    expect(servedContentType(incomingKey('42'))).toBeNull();
    expect(servedContentType('files/42/abc.svg')).toBeNull();
  });
});
