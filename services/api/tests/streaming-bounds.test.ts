/**
 * The streaming API's bounds with real sockets: a client that stops reading is dropped once its
 * unsent output passes the limit (the server keeps serving the others), and shutdown closes every
 * WebSocket with 1001 (going away). Events are handed in directly, as the NATS feed would.
 */
import { createEvent, type DomainEvent } from '@murmur/events';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import { createLogger } from '@murmur/service-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp } from '../src/app.js';
import { readConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';
import type { EventFeed } from '../src/streaming/feed.js';
import { signedInUser, type TestUser } from './_mastodon.js';

let testDb: TestDatabase;
let app: ApiInstance;
let url: string;
let alice: TestUser;
let deliver: (event: DomainEvent) => void = () => {};

/** Events handed in by the test instead of NATS. */
const feed: EventFeed = {
  start(handler) {
    deliver = handler;
  },
  connected: () => true,
  close: async () => {},
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  const port = await freePort();
  url = `ws://127.0.0.1:${port}/api/v1/streaming`;
  const config = readConfig({
    DATABASE_URL: testDb.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '10',
    STREAMING_MAX_BUFFERED_KB: '64',
  });
  app = await buildApp({
    config,
    database: testDb.database,
    logger: createLogger({ service: 'api-test', level: 'silent' }),
    streaming: { feed },
  });
  await app.listen({ host: '127.0.0.1', port });
  alice = await signedInUser(testDb.database);
}, 60_000);

afterAll(async () => {
  if (app?.server.listening) await app.close();
  await testDb?.destroy();
});

async function connect(stream: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url}?stream=${stream}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const deadline = Date.now() + 10_000;
  while (app.streamingHub.subscribedTo(stream).size === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return socket;
}

it('drops a client that does not read, and keeps serving one that does', async () => {
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: alice.headers,
    payload: { status: 'x'.repeat(480), visibility: 'public' },
  });
  const statusId = posted.json().id as string;
  const stalled = await connect('public:local');
  // Stop reading: what the server sends piles up in the kernel's buffers, then in the server's.
  (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
  const reader = await connect('public:local');
  let read = 0;
  reader.on('message', () => (read += 1));

  const event = createEvent(
    'PostCreated',
    {
      statusId,
      accountId: alice.id,
      visibility: 'public',
      inReplyToId: null,
      mentionedAccountIds: [],
      hashtags: [],
      createdAt: new Date().toISOString(),
    },
    null,
  );
  let sent = 0;
  while (app.streamingHub.subscribedTo('public:local').size === 2 && sent < 20_000) {
    for (let i = 0; i < 50; i++) deliver(event);
    sent += 50;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The stalled client was cut (its buffer passed 64 KB), long before the 20,000 events ran out.
  expect(app.streamingHub.subscribedTo('public:local').size).toBe(1);
  expect(sent).toBeLessThan(20_000);
  // The reader is still served: an event sent now reaches it.
  const marker = new Promise<void>((resolve) => {
    reader.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; payload: string };
      if (message.event === 'delete' && message.payload === statusId) resolve();
    });
  });
  deliver(
    createEvent(
      'StatusDeleted',
      { statusId, accountId: alice.id, visibility: 'public', inReplyToId: null, reblogIds: [] },
      null,
    ),
  );
  await marker;
  expect(read).toBeGreaterThan(0);
  reader.close();
  stalled.terminate();
}, 120_000);

it('closes every WebSocket with 1001 when the server shuts down', async () => {
  const socket = await connect('public');
  const code = new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
  await app.close();
  expect(await code).toBe(1001);
}, 30_000);
