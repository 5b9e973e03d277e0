/**
 * The streaming API end to end: posts made over REST, relayed from the outbox to NATS by the real
 * worker, heard by the API's NATS subscription, and received by masto.js's streaming client
 * (WebSocket) and by plain server-sent events, each by the right people only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticateAccessToken, revokeAccessTokenById } from '@murmur/db/auth';
import { createDatabase, type Database } from '@murmur/db';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import { createLogger } from '@murmur/service-kit';
import { createStreamingAPIClient, type mastodon } from 'masto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp } from '../src/app.js';
import { readConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { natsEventFeed, type EventFeed } from '../src/streaming/feed.js';
import { signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonSchema } from './_openapi.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const PER_TOKEN = 3;

let testDb: TestDatabase;
/** The fan-out's own pool on generic plans, as `server.ts` gives it. */
let streamingDatabase: Database;
let worker: WorkerProcess;
let directory: string;
let feed: EventFeed;
let app: ApiInstance;
let origin: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'murmur-api-streaming-'));
  testDb = await createTestDatabase();
  worker = await startWorkerProcess({ databaseUrl: testDb.url, mediaDir: directory });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const config = readConfig({
    DATABASE_URL: testDb.url,
    PUBLIC_URL: origin,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '10',
    NATS_URL,
    NATS_SUBJECT_PREFIX: worker.subjectPrefix,
    STREAMING_MAX_CONNECTIONS_PER_TOKEN: String(PER_TOKEN),
  });
  const logger = createLogger({
    service: 'api-test',
    level: process.env.STREAMING_TEST_LOG ?? 'silent',
  });
  feed = natsEventFeed({ url: NATS_URL, subjectPrefix: worker.subjectPrefix, logger });
  streamingDatabase = createDatabase({ url: testDb.url, poolSize: 2, plans: 'generic' });
  app = await buildApp({
    config,
    database: testDb.database,
    logger,
    streaming: { feed, database: streamingDatabase, heartbeatMs: 1_000, tokenCheckMs: 500 },
  });
  await app.listen({ host: '127.0.0.1', port });
  for (let i = 0; !feed.connected(); i++) {
    if (i > 100) throw new Error('the streaming feed did not connect to NATS');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  alice = await signedInUser(testDb.database);
  bob = await signedInUser(testDb.database);
  carol = await signedInUser(testDb.database);
  const follow = await app.inject({
    method: 'POST',
    url: `/api/v1/accounts/${alice.id}/follow`,
    headers: bob.headers,
  });
  expect(follow.statusCode).toBe(200);
}, 120_000);

/** What each test opened, closed after it (passed or not) so connection counts start from zero. */
const opened: { close(): void }[] = [];

afterEach(async () => {
  for (const stream of opened.splice(0)) stream.close();
  await allClosed();
});

afterAll(async () => {
  // The clients' pools leave sockets that never sent a request; Node would wait for their header
  // timeout (60 s) before the server closes.
  app?.server.closeAllConnections();
  await app?.close();
  await streamingDatabase?.close();
  await worker?.stop();
  await testDb?.destroy();
  await rm(directory, { recursive: true, force: true });
});

async function post(
  user: TestUser,
  status: string,
  visibility: 'public' | 'unlisted' | 'private' | 'direct' = 'public',
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/statuses',
    headers: user.headers,
    payload: { status, visibility },
  });
  expect(response.statusCode).toBe(200);
  return response.json().id as string;
}

/** Events received by a stream, with a way to wait for one matching a test. */
class Received<E> {
  readonly events: E[] = [];
  #waiters: { test: (event: E) => boolean; resolve: (event: E) => void }[] = [];

  push(event: E): void {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(event)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }

  waitFor(test: (event: E) => boolean, timeoutMs = 20_000): Promise<E> {
    const found = this.events.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such event arrived')), timeoutMs);
      this.#waiters.push({
        test,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }
}

/** masto.js's client on `stream`, collecting what arrives. */
function mastoStream(
  user: TestUser,
  open: (client: mastodon.streaming.Client) => mastodon.streaming.Subscription,
) {
  const client = createStreamingAPIClient({
    streamingApiUrl: origin.replace('http', 'ws'),
    accessToken: user.token,
    retry: false,
  });
  const received = new Received<mastodon.streaming.Event>();
  const subscription = open(client);
  void (async () => {
    for await (const event of subscription) received.push(event);
  })().catch(() => {});
  const stream = { received, close: () => client.close() };
  opened.push(stream);
  return stream;
}

interface SseEvent {
  event: string;
  data: string;
}

/** A plain server-sent-events reader over fetch. */
async function sse(path: string, token?: string) {
  const controller = new AbortController();
  const response = await fetch(`${origin}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  const received = new Received<SseEvent>();
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((line) => !line.startsWith(':'));
          const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
          const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
          if (event && data !== undefined) received.push({ event, data });
        }
      }
    })().catch(() => {});
  }
  const stream = { response, received, close: () => controller.abort() };
  opened.push(stream);
  return stream;
}

const isUpdateOf = (id: string) => (event: mastodon.streaming.Event) =>
  event.event === 'update' && event.payload.id === id;

/** Waits until the server holds `count` subscriptions to each stream key (clients connect lazily). */
async function subscribed(keys: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 15_000;
  const ready = () =>
    Object.entries(keys).every(([key, count]) => app.streamingHub.subscribedTo(key).size >= count);
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`not subscribed: ${JSON.stringify(keys)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every connection is gone (closed by the client). */
async function allClosed(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (app.streamingHub.connections.size > 0) {
    if (Date.now() > deadline) throw new Error('connections left open');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the streaming API with masto.js (WebSocket)', () => {
  it('gives a followers-only post to a follower and not to a stranger; public posts to public streams', async () => {
    const bobHome = mastoStream(bob, (c) => c.user.subscribe());
    const carolHome = mastoStream(carol, (c) => c.user.subscribe());
    const carolPublic = mastoStream(carol, (c) => c.public.local.subscribe());
    await subscribed({ user: 2, 'public:local': 1 });
    const secret = await post(alice, 'for my followers only', 'private');
    const open = await post(alice, 'for everyone');

    const got = await bobHome.received.waitFor(isUpdateOf(secret));
    expect(got.event === 'update' && got.payload.visibility).toBe('private');
    await bobHome.received.waitFor(isUpdateOf(open));
    await carolPublic.received.waitFor(isUpdateOf(open));
    // The public post arrived after the private one was relayed: carol got none of it.
    expect(carolHome.received.events.some(isUpdateOf(secret))).toBe(false);
    expect(carolPublic.received.events.some(isUpdateOf(secret))).toBe(false);
    expect(carolHome.received.events.some(isUpdateOf(open))).toBe(false);
    // Who may read them was asked on the fan-out's own connections.
    expect(streamingDatabase.pool.totalCount).toBeGreaterThan(0);
    for (const s of [bobHome, carolHome, carolPublic]) s.close();
  }, 60_000);

  it('leaves out what a viewer mutes, or hides with a filter, as the timelines do', async () => {
    const [muter, filterer] = await Promise.all([
      signedInUser(testDb.database),
      signedInUser(testDb.database),
    ]);
    const muted = await app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${alice.id}/mute`,
      headers: muter.headers,
    });
    expect(muted.statusCode).toBe(200);
    const filter = await app.inject({
      method: 'POST',
      url: '/api/v2/filters',
      headers: filterer.headers,
      payload: {
        title: 'No spoilers',
        context: ['public'],
        filter_action: 'hide',
        keywords_attributes: [{ keyword: 'spoiler' }],
      },
    });
    expect(filter.statusCode).toBe(200);
    const streams = [muter, filterer, bob].map((user) =>
      mastoStream(user, (c) => c.public.local.subscribe()),
    );
    await subscribed({ 'public:local': 3 });
    const plain = await post(alice, 'a plain post');
    const spoiler = await post(alice, 'spoiler: the butler did it');
    const marker = await post(carol, 'the last one');
    for (const stream of streams) await stream.received.waitFor(isUpdateOf(marker));
    // Events of different authors may be fanned out in either order: wait for what bob and the
    // filterer must see. Each event reaches every viewer of this process in one pass, so by then the
    // others have had their chance to (wrongly) receive it too.
    await streams[2]!.received.waitFor(isUpdateOf(spoiler));
    await streams[2]!.received.waitFor(isUpdateOf(plain));
    await streams[1]!.received.waitFor(isUpdateOf(plain));
    const [muterSaw, filtererSaw, bobSaw] = streams.map(
      (stream) => (id: string) => stream.received.events.some(isUpdateOf(id)),
    );
    expect([muterSaw!(plain), muterSaw!(spoiler)]).toEqual([false, false]);
    expect([filtererSaw!(plain), filtererSaw!(spoiler)]).toEqual([true, false]);
    expect([bobSaw!(plain), bobSaw!(spoiler)]).toEqual([true, true]);
    for (const stream of streams) stream.close();
  }, 60_000);

  it('sends the Status entity the REST API returns to that viewer', async () => {
    // masto.js camel-cases what it receives; the raw event stream shows the JSON as sent.
    const bobHome = await sse('/api/v1/streaming/user', bob.token);
    const cats = await sse('/api/v1/streaming/hashtag?tag=Cats');
    await subscribed({ user: 1, 'hashtag:cats': 1 });
    const id = await post(alice, 'an entity #cats');
    const got = await bobHome.received.waitFor((e) => e.event === 'update');
    const rest = await app.inject({ url: `/api/v1/statuses/${id}`, headers: bob.headers });
    expect(JSON.parse(got.data)).toEqual(rest.json());
    expectMastodonSchema('Status', JSON.parse(got.data));
    const tagged = await cats.received.waitFor((e) => e.event === 'update');
    expect(JSON.parse(tagged.data).id).toBe(id);
  }, 60_000);

  it('announces a mention to the mentioned person as a notification', async () => {
    const bobHome = mastoStream(bob, (c) => c.user.notification.subscribe());
    await subscribed({ 'user:notification': 1 });
    const id = await post(alice, `hello @${bob.username}`);
    const got = await bobHome.received.waitFor(
      (event) => event.event === 'notification' && event.payload.status?.id === id,
    );
    expect(got.event === 'notification' && got.payload.type).toBe('mention');
    expect(got.event === 'notification' && got.payload.account.id).toBe(alice.id);
    bobHome.close();
  }, 60_000);

  it("delivers the author's delete to subscribers", async () => {
    const bobHome = mastoStream(bob, (c) => c.user.subscribe());
    await subscribed({ user: 1 });
    const id = await post(alice, 'soon gone');
    await bobHome.received.waitFor(isUpdateOf(id));
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/statuses/${id}`,
      headers: alice.headers,
    });
    expect(deleted.statusCode).toBe(200);
    await bobHome.received.waitFor((event) => event.event === 'delete' && event.payload === id);
    bobHome.close();
  }, 60_000);
});

describe('the streaming API as server-sent events', () => {
  it('gives a direct post to its mentioned account only', async () => {
    const carolDirect = await sse('/api/v1/streaming/direct', carol.token);
    const bobHome = await sse('/api/v1/streaming/user', bob.token);
    expect(carolDirect.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await subscribed({ direct: 1, user: 1 });
    const direct = await post(alice, `psst @${carol.username}`, 'direct');
    const open = await post(alice, 'everyone again');
    const got = await carolDirect.received.waitFor((e) => e.event === 'update');
    expect(JSON.parse(got.data).id).toBe(direct);
    await bobHome.received.waitFor((e) => e.event === 'update' && JSON.parse(e.data).id === open);
    expect(bobHome.received.events.some((e) => e.data.includes(direct))).toBe(false);
    carolDirect.close();
    bobHome.close();
  }, 60_000);

  it('serves the public stream to anonymous readers', async () => {
    const anonymous = await sse('/api/v1/streaming/public/local');
    await subscribed({ 'public:local': 1 });
    const id = await post(alice, 'hello world');
    const got = await anonymous.received.waitFor((e) => e.event === 'update');
    expect(JSON.parse(got.data).id).toBe(id);
    anonymous.close();
  }, 60_000);

  it('answers clearly when a stream cannot be opened', async () => {
    const anonymousHome = await fetch(`${origin}/api/v1/streaming/user`);
    expect(anonymousHome.status).toBe(401);
    expect(await anonymousHome.json()).toEqual({ error: 'Missing access token' });
    const noTag = await fetch(`${origin}/api/v1/streaming/hashtag`);
    expect(noTag.status).toBe(400);
    const badToken = await fetch(`${origin}/api/v1/streaming/public?access_token=nope`);
    expect(badToken.status).toBe(401);
    const health = await fetch(`${origin}/api/v1/streaming/health`);
    expect(await health.text()).toBe('OK');
  });
});

describe('lists, edits and warn filters on the stream', () => {
  it('streams a list to its owner only (masto.js), with the posts of its members', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/lists',
      headers: bob.headers,
      payload: { title: 'Alice only' },
    });
    expect(created.statusCode).toBe(200);
    const listId = created.json().id as string;
    const added = await app.inject({
      method: 'POST',
      url: `/api/v1/lists/${listId}/accounts`,
      headers: bob.headers,
      payload: { account_ids: [alice.id] },
    });
    expect(added.statusCode).toBe(200);
    const bobList = mastoStream(bob, (c) => c.list.subscribe({ list: listId }));
    await subscribed({ [`list:${listId}`]: 1 });
    // Someone else's list is not found, as over REST.
    const carolTries = await sse(`/api/v1/streaming/list?list=${listId}`, carol.token);
    expect(carolTries.response.status).toBe(404);
    const notMember = await post(carol, 'carol is not on the list');
    const member = await post(alice, 'alice is on the list');
    const got = await bobList.received.waitFor(isUpdateOf(member));
    expect(got.stream).toEqual(['list', listId]);
    expect(bobList.received.events.some(isUpdateOf(notMember))).toBe(false);
  }, 60_000);

  it('sends an edit as status.update with the edited status (masto.js)', async () => {
    const bobHome = mastoStream(bob, (c) => c.user.subscribe());
    await subscribed({ user: 1 });
    const id = await post(alice, 'before the edit');
    await bobHome.received.waitFor(isUpdateOf(id));
    const edited = await app.inject({
      method: 'PUT',
      url: `/api/v1/statuses/${id}`,
      headers: alice.headers,
      payload: { status: 'after the edit' },
    });
    expect(edited.statusCode).toBe(200);
    const got = await bobHome.received.waitFor(
      (event) => event.event === 'status.update' && event.payload.id === id,
    );
    expect(got.event === 'status.update' && got.payload.content).toContain('after the edit');
    expect(got.event === 'status.update' && got.payload.editedAt).not.toBeNull();
  }, 60_000);

  it('marks a status a warn filter matches with `filtered`, as the home timeline does (SSE)', async () => {
    const reader = await signedInUser(testDb.database);
    const follow = await app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${alice.id}/follow`,
      headers: reader.headers,
    });
    expect(follow.statusCode).toBe(200);
    const filter = await app.inject({
      method: 'POST',
      url: '/api/v2/filters',
      headers: reader.headers,
      payload: {
        title: 'Gardening',
        context: ['home'],
        filter_action: 'warn',
        keywords_attributes: [{ keyword: 'tomatoes' }],
      },
    });
    expect(filter.statusCode).toBe(200);
    const home = await sse('/api/v1/streaming/user', reader.token);
    await subscribed({ user: 1 });
    const id = await post(alice, 'my tomatoes are ripe');
    const got = await home.received.waitFor(
      (event) => event.event === 'update' && JSON.parse(event.data).id === id,
    );
    const streamed = JSON.parse(got.data);
    expect(streamed.filtered).toHaveLength(1);
    expect(streamed.filtered[0].filter.title).toBe('Gardening');
    expect(streamed.filtered[0].keyword_matches).toEqual(['tomatoes']);
    expectMastodonSchema('Status', streamed);
    // Exactly what the home timeline gives the same reader.
    let fromTimeline: unknown;
    for (let i = 0; i < 100 && fromTimeline === undefined; i++) {
      const timeline = await app.inject({ url: '/api/v1/timelines/home', headers: reader.headers });
      fromTimeline = (timeline.json() as { id: string }[]).find((status) => status.id === id);
      if (fromTimeline === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(streamed).toEqual(fromTimeline);
  }, 60_000);
  it("renders a status for each viewer: the author's `pinned`, a follower's favourite, a warn filter's `filtered` (SSE)", async () => {
    // One event, four viewers: the fan-out renders each distinct view once and shares it, so each
    // viewer must still get exactly its own entity.
    const [author, fan, filterer, plain] = await Promise.all([
      signedInUser(testDb.database),
      signedInUser(testDb.database),
      signedInUser(testDb.database),
      signedInUser(testDb.database),
    ]);
    for (const reader of [fan, filterer, plain]) {
      const follow = await app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${author.id}/follow`,
        headers: reader.headers,
      });
      expect(follow.statusCode).toBe(200);
    }
    const filter = await app.inject({
      method: 'POST',
      url: '/api/v2/filters',
      headers: filterer.headers,
      payload: {
        title: 'Vegetables',
        context: ['home'],
        filter_action: 'warn',
        keywords_attributes: [{ keyword: 'radishes' }],
      },
    });
    expect(filter.statusCode).toBe(200);
    const viewers = [author, fan, filterer, plain];
    const homes = await Promise.all(
      viewers.map((viewer) => sse('/api/v1/streaming/user', viewer.token)),
    );
    await subscribed({ user: 4 });
    const id = await post(author, 'radishes before the edit');
    for (const home of homes) {
      await home.received.waitFor(
        (event) => event.event === 'update' && JSON.parse(event.data).id === id,
      );
    }
    const favourited = await app.inject({
      method: 'POST',
      url: `/api/v1/statuses/${id}/favourite`,
      headers: fan.headers,
    });
    expect(favourited.statusCode).toBe(200);
    const edited = await app.inject({
      method: 'PUT',
      url: `/api/v1/statuses/${id}`,
      headers: author.headers,
      payload: { status: 'radishes after the edit' },
    });
    expect(edited.statusCode).toBe(200);
    const [byAuthor, byFan, byFilterer, byPlain] = await Promise.all(
      homes.map(async (home) => {
        const got = await home.received.waitFor(
          (event) => event.event === 'status.update' && JSON.parse(event.data).id === id,
        );
        const status = JSON.parse(got.data);
        expectMastodonSchema('Status', status);
        return status;
      }),
    );
    expect(byAuthor.pinned).toBe(false);
    expect(byFan.favourited).toBe(true);
    expect(byFan).not.toHaveProperty('pinned');
    expect(byPlain.favourited).toBe(false);
    expect(byFilterer.favourited).toBe(false);
    expect(byFilterer.filtered).toHaveLength(1);
    expect(byFilterer.filtered[0].filter.title).toBe('Vegetables');
    expect([byAuthor, byFan, byPlain].map((status) => status.filtered)).toEqual([[], [], []]);
    // The others get what the REST API gives each of them.
    for (const [viewer, streamed] of [
      [author, byAuthor],
      [fan, byFan],
      [plain, byPlain],
    ] as const) {
      const rest = await app.inject({ url: `/api/v1/statuses/${id}`, headers: viewer.headers });
      expect(streamed).toEqual(rest.json());
    }
  }, 60_000);
});

describe('limits', () => {
  it(`refuses more than ${PER_TOKEN} connections per token with 429`, async () => {
    const open = await Promise.all(
      Array.from({ length: PER_TOKEN }, () => sse('/api/v1/streaming/user', carol.token)),
    );
    for (const s of open) expect(s.response.status).toBe(200);
    const extra = await fetch(`${origin}/api/v1/streaming/user`, {
      headers: { authorization: `Bearer ${carol.token}` },
    });
    expect(extra.status).toBe(429);
    expect(((await extra.json()) as { error: string }).error).toMatch(
      /Too many streaming connections/,
    );
    for (const s of open) s.close();
    await allClosed();
  });

  it('closes the socket of a revoked token', async () => {
    const dave = await signedInUser(testDb.database);
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/api/v1/streaming?stream=user`, {
      headers: { authorization: `Bearer ${dave.token}` },
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const token = await authenticateAccessToken(testDb.database, dave.token);
    await revokeAccessTokenById(testDb.database, token!.tokenId);
    expect(await closed).toBe(1008);
  }, 30_000);
});
