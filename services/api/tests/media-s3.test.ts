/**
 * The S3 path end to end: the API stores an upload in a real S3-compatible server (s3rver, on a
 * local port), the worker process reads it from there and writes the processed files back, and the
 * API serves them from the bucket at the public origin.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '@murmur/devkit/net';
import { photoJpeg } from '@murmur/media/testing';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, signedInUser, startServer, type TestServer } from './_mastodon.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

let s3: S3rver;
let s3Client: S3Client;
let server: TestServer;
let worker: WorkerProcess;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'murmur-api-s3-'));
  const port = await freePort();
  s3 = new S3rver({ address: '127.0.0.1', port, silent: true, directory: join(directory, 's3') });
  await s3.run();
  const s3Env = {
    MEDIA_STORAGE: 's3',
    S3_BUCKET: 'murmur-media',
    S3_REGION: 'us-east-1',
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_PREFIX: 'murmur/',
  };
  s3Client = new S3Client({
    region: 'us-east-1',
    endpoint: s3Env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3Client.send(new CreateBucketCommand({ Bucket: 'murmur-media' }));
  server = await startServer(s3Env);
  worker = await startWorkerProcess({
    databaseUrl: server.databaseUrl,
    mediaDir: directory,
    extra: s3Env,
  });
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  s3Client?.destroy();
  await s3?.close();
  await rm(directory, { recursive: true, force: true });
});

async function objectKeys(): Promise<string[]> {
  const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'murmur-media' }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe('media on S3-compatible storage', () => {
  it('stores the upload in the bucket, processes it from there and serves the result', async () => {
    const alice = await signedInUser(server.database);
    const boundary = '----murmurs3';
    const bytes = await photoJpeg(1024, 768, { gps: true });
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="p.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const accepted = json(
      await server.app.inject({
        method: 'POST',
        url: '/api/v2/media',
        headers: { ...alice.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      }),
      202,
    );
    let done;
    for (let i = 0; i < 200; i++) {
      const response = await server.app.inject({
        url: `/api/v1/media/${accepted.id}`,
        headers: alice.headers,
      });
      if (response.statusCode === 200) {
        done = response.json();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(done?.url).toBeTruthy();
    const key = new URL(done.url).pathname.replace('/media/', '');
    // The processed files are in the bucket under the prefix; the upload as received is gone.
    expect(await objectKeys()).toEqual(
      [
        `murmur/${key}`,
        `murmur/${new URL(done.preview_url).pathname.replace('/media/', '')}`,
      ].sort(),
    );
    const file = await server.app.inject({ url: new URL(done.url).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(file.rawPayload).metadata()).exif).toBeUndefined();
  });
});
