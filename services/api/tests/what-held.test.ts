/**
 * What held in the security review of issue 12, kept as regression tests where other files do not
 * cover it already: private and direct posts stay invisible to other people and visitors on every
 * API read, an oversized body is refused fast, and smuggling-shaped requests get 400.
 */
import { connect } from 'node:net';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { freePort } from '@murmur/devkit/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './_helpers.js';
import { signedInUser, type TestUser } from './_mastodon.js';

let t: TestApp;
let database: Database;
let author: TestUser;
let stranger: TestUser;
let port: number;
const hidden: { id: string; marker: string }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  database = t.database;
  author = await signedInUser(database);
  stranger = await signedInUser(database);
  for (const visibility of ['private', 'direct'] as const) {
    const marker = `secretword${visibility}`;
    const { view } = await createStatus(database, {
      accountId: author.id,
      text: `${marker} #hiddentag`,
      visibility,
    });
    hidden.push({ id: view.id, marker });
  }
  port = await freePort();
  await t.app.listen({ port, host: '127.0.0.1' });
}, 60_000);

afterAll(() => t?.close());

describe('private and direct posts', () => {
  it('stay invisible to another person and to visitors on every read', async () => {
    const reads = [
      ...hidden.flatMap(({ id }) => [
        `/api/v1/statuses/${id}`,
        `/api/v1/statuses/${id}/context`,
        `/api/v1/statuses/${id}/favourited_by`,
        `/api/v1/statuses/${id}/reblogged_by`,
      ]),
      `/api/v1/accounts/${author.id}/statuses`,
      `/api/v1/accounts/${author.id}/statuses?tagged=hiddentag`,
      '/api/v1/timelines/public',
      '/api/v1/timelines/tag/hiddentag',
      '/api/v1/timelines/home',
      '/api/v2/search?q=secretword&type=statuses',
    ];
    for (const viewer of [stranger.headers, {}]) {
      for (const url of reads) {
        const response = await t.app.inject({ url, headers: viewer });
        expect(response.statusCode, url).toBeLessThan(500);
        for (const { marker, id } of hidden) {
          expect(response.body, url).not.toContain(marker);
          if (url === `/api/v1/statuses/${id}`) expect(response.statusCode, url).toBe(404);
        }
      }
    }
  });

  it('are visible to their author (the test can fail)', async () => {
    const response = await t.app.inject({
      url: `/api/v1/statuses/${hidden[0]!.id}`,
      headers: author.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(hidden[0]!.marker);
  });
});

/** Sends raw bytes to the listening API and returns what it answers before closing. */
function rawRequest(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.write(bytes);
  });
}

describe('transport', () => {
  it('refuses a 10 MB body with 413 quickly, without a token', async () => {
    const started = performance.now();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apps',
      headers: { 'content-type': 'application/json' },
      payload: `{"client_name":"${'a'.repeat(10 * 1024 * 1024)}"}`,
    });
    expect(response.statusCode).toBe(413);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('answers smuggling-shaped and badly chunked requests with 400', async () => {
    const both = await rawRequest(
      'POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(both).toMatch(/^HTTP\/1\.1 400/);
    const badChunk = await rawRequest(
      'POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );
    expect(badChunk).toMatch(/^HTTP\/1\.1 400/);
  });
});
