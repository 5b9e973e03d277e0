/**
 * Two Murmurs federating on one machine, each with its own database, NATS stream, API (the build
 * function, listening on port 80 of its own loopback address, which is its host name) and real
 * worker process; the people on both sides use masto.js, as their apps would. Alice lives on the
 * first, bob and carol (locked) on the second: follows (and a locked account's approval), posts,
 * a reply with a mention (notified, and e-mailed, on the other side), a direct message to someone
 * not yet known (found by WebFinger when posting), favourites, boosts,
 * deletions, followers-only delivery, and the second server down for a while then catching up
 * (the first one's deliveries retried once it is back).
 *
 * Every wait is for a state, bounded; deliveries that fail are retried after 1 s here
 * (`FEDERATION_RETRY_BASE_MS`), not the production minute.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { createLogger } from '@murmur/service-kit';
import { createRestAPIClient, type mastodon } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { readConfig } from '../src/config.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { tokenFor } from './_mastodon.js';
import { startWorkerProcess, type WorkerProcess } from './_worker.js';

const ALLOWED = '127.0.0.0/8';
/** Generous: the machine is shared and loaded. */
const WAIT_MS = 90_000;

interface Murmur {
  host: string;
  url: string;
  test: TestDatabase;
  worker: WorkerProcess;
  directory: string;
  app: ApiInstance | null;
  /** Starts (again) the API on the same database and address. */
  up(): Promise<void>;
  /** Stops the API: the server is unreachable until `up()`. */
  down(): Promise<void>;
  person(username: string): Promise<{ id: string; client: mastodon.rest.Client }>;
  close(): Promise<void>;
}

async function startMurmur(host: string): Promise<Murmur> {
  const url = `http://${host}`;
  const test = await createTestDatabase();
  const directory = await mkdtemp(`${tmpdir()}/murmur-two-${host}-`);
  const env = { PUBLIC_URL: url, ALLOWED_PRIVATE_ADDRESSES: ALLOWED };
  const worker = await startWorkerProcess({
    databaseUrl: test.url,
    mediaDir: directory,
    extra: { ...env, FEDERATION_RETRY_BASE_MS: '1000' },
  });
  const murmur: Murmur = {
    host,
    url,
    test,
    worker,
    directory,
    app: null,
    async up() {
      const config = readConfig({
        DATABASE_URL: test.url,
        LOG_LEVEL: 'silent',
        BCRYPT_COST: '10',
        ...env,
      });
      const app = await buildApp({
        config,
        database: test.database,
        logger: createLogger({ service: `api-${host}`, level: 'silent' }),
      });
      await app.listen({ host, port: 80 });
      murmur.app = app;
    },
    async down() {
      await murmur.app?.close();
      murmur.app = null;
    },
    async person(username) {
      const account = await createAccountFixture(test.database, { username });
      const accessToken = await tokenFor(test.database, account.id, ['read', 'write', 'follow']);
      return { id: account.id, client: createRestAPIClient({ url, accessToken }) };
    },
    async close() {
      await murmur.down();
      await worker.stop();
      await test.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
  await murmur.up();
  return murmur;
}

/**
 * Polls `probe` until it returns something truthy (bounded); returns it. The pauses grow (to 2 s),
 * so that a long wait stays well within the API's rate limit of each person's token.
 */
async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + WAIT_MS;
  let pause = 200;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(2_000, pause * 1.5);
  }
}

let one: Murmur;
let two: Murmur;
type Person = Awaited<ReturnType<Murmur['person']>>;
let alice: Person;
let bob: Person;
let carol: Person;
/** Bob and carol as alice's server knows them. */
let bobThere: mastodon.v1.Account;
let carolThere: mastodon.v1.Account;

beforeAll(async () => {
  // Addresses of this test alone (issue 21), so other federation tests on loopback do not collide.
  one = await startMurmur('127.0.21.2');
  two = await startMurmur('127.0.21.3');
  alice = await one.person('alice');
  bob = await two.person('bob');
  carol = await two.person('carol');
  await carol.client.v1.accounts.updateCredentials({ locked: true });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([one?.close(), two?.close()]);
}, 120_000);

const homeOf = (person: Person) => person.client.v1.timelines.home.list({ limit: 40 });

describe('two Murmurs', () => {
  it('alice finds bob by his handle and follows him; his server accepts', async () => {
    bobThere = await alice.client.v1.accounts.lookup({ acct: `bob@${two.host}` });
    expect(bobThere).toMatchObject({ acct: `bob@${two.host}`, username: 'bob' });
    const requested = await alice.client.v1.accounts.$select(bobThere.id).follow();
    expect(requested).toMatchObject({ following: false, requested: true });
    await eventually('the Accept of the follow', async () => {
      const [relation] = await alice.client.v1.accounts.relationships.fetch({ id: [bobThere.id] });
      return relation?.following;
    });
    const followers = await bob.client.v1.accounts.$select(bob.id).followers.list();
    expect(followers.map((account) => account.acct)).toEqual([`alice@${one.host}`]);
  }, 180_000);

  it('a locked account’s owner approves alice’s request on the other server', async () => {
    carolThere = await alice.client.v1.accounts.lookup({ acct: `carol@${two.host}` });
    await alice.client.v1.accounts.$select(carolThere.id).follow();
    const request = await eventually('the follow request at carol’s', async () => {
      const requests = await carol.client.v1.followRequests.list();
      return requests.find((account) => account.acct === `alice@${one.host}`);
    });
    let [relation] = await alice.client.v1.accounts.relationships.fetch({ id: [carolThere.id] });
    expect(relation).toMatchObject({ following: false, requested: true });
    await carol.client.v1.followRequests.$select(request.id).authorize();
    await eventually('the approval', async () => {
      [relation] = await alice.client.v1.accounts.relationships.fetch({ id: [carolThere.id] });
      return relation?.following;
    });
  }, 180_000);

  let bobsPostThere: mastodon.v1.Status;
  let replyAtBobs: mastodon.v1.Status;

  it('bob’s post reaches alice’s home timeline', async () => {
    const posted = await bob.client.v1.statuses.create({ status: 'Hello from the other side' });
    bobsPostThere = await eventually('bob’s post at alice’s', async () =>
      (await homeOf(alice)).find((status) => status.uri === posted.uri),
    );
    expect(bobsPostThere).toMatchObject({
      account: { acct: `bob@${two.host}` },
      visibility: 'public',
    });
    expect(bobsPostThere.content).toContain('Hello from the other side');
  }, 180_000);

  it('alice’s reply mentions bob: he is notified and e-mailed on his server', async () => {
    const reply = await alice.client.v1.statuses.create({
      status: `@bob@${two.host} hello back!`,
      inReplyToId: bobsPostThere.id,
    });
    expect(reply.mentions.map((mention) => mention.acct)).toEqual([`bob@${two.host}`]);
    const notification = await eventually('bob’s mention notification', async () =>
      (await bob.client.v1.notifications.list({ types: ['mention'] })).find(
        (n) => n.status?.uri === reply.uri,
      ),
    );
    replyAtBobs = notification.status!;
    expect(replyAtBobs).toMatchObject({
      account: { acct: `alice@${one.host}` },
      inReplyToId: (await bob.client.v1.timelines.home.list()).find(
        (status) => status.uri === bobsPostThere.uri,
      )?.id,
    });
    expect(replyAtBobs.content).toContain('hello back!');
    // The mention e-mail, written by bob's server's worker (no SMTP in tests: .eml files).
    await eventually('the mention e-mail', async () => {
      const mailDir = `${two.directory}/mail`;
      const files = await readdir(mailDir).catch(() => []);
      for (const file of files) {
        const mail = await readFile(`${mailDir}/${file}`, 'utf8');
        if (mail.includes('hello back!')) return true;
      }
      return false;
    });
  }, 180_000);

  it('bob’s favourite and boost of the reply notify alice on hers', async () => {
    await bob.client.v1.statuses.$select(replyAtBobs.id).favourite();
    await bob.client.v1.statuses.$select(replyAtBobs.id).reblog();
    const types = await eventually('the favourite and boost notifications', async () => {
      const notifications = await alice.client.v1.notifications.list();
      const fromBob = notifications.filter((n) => n.account.acct === `bob@${two.host}`);
      const found = new Set(fromBob.map((n) => n.type));
      return found.has('favourite') && found.has('reblog') ? found : null;
    });
    expect([...types]).toEqual(expect.arrayContaining(['favourite', 'reblog']));
    const [replyHere] = (await alice.client.v1.accounts.$select(alice.id).statuses.list()).filter(
      (status) => status.content.includes('hello back!'),
    );
    expect(replyHere).toMatchObject({ favouritesCount: 1, reblogsCount: 1 });
  }, 180_000);

  it('a direct message to someone alice never looked up reaches them (WebFinger when posting)', async () => {
    const erin = await two.person('erin');
    const direct = await alice.client.v1.statuses.create({
      status: `@erin@${two.host} just between us`,
      visibility: 'direct',
    });
    expect(direct.mentions.map((mention) => mention.acct)).toEqual([`erin@${two.host}`]);
    expect(direct.content).toContain(`href="${two.url}/@erin"`);
    // A private mention from someone erin does not follow is filtered from her notifications (as
    // Mastodon's default policy): her conversations show it.
    const conversation = await eventually('erin’s conversation', async () =>
      (await erin.client.v1.conversations.list()).find((c) => c.lastStatus?.uri === direct.uri),
    );
    expect(conversation.lastStatus).toMatchObject({ visibility: 'direct' });
    expect(conversation.accounts.map((account) => account.acct)).toEqual([`alice@${one.host}`]);
    // Nobody else on that server sees it: bob follows no one, carol is not mentioned.
    expect(
      (await carol.client.v1.notifications.list()).some((n) => n.status?.uri === direct.uri),
    ).toBe(false);
  }, 180_000);

  it('a followers-only post reaches the follower alone', async () => {
    const dave = await one.person('dave');
    const secret = await carol.client.v1.statuses.create({
      status: 'for my followers',
      visibility: 'private',
    });
    const there = await eventually('carol’s private post at alice’s', async () =>
      (await homeOf(alice)).find((status) => status.uri === secret.uri),
    );
    expect(there.visibility).toBe('private');
    // Not a follower: not shown, even asked for by id.
    await expect(dave.client.v1.statuses.$select(there.id).fetch()).rejects.toThrow();
  }, 180_000);

  it('bob deletes his post: it is gone at alice’s too', async () => {
    await bob.client.v1.statuses
      .$select(
        (await bob.client.v1.timelines.home.list()).find(
          (status) => status.uri === bobsPostThere.uri,
        )!.id,
      )
      .remove();
    await eventually('the deletion at alice’s', async () => {
      try {
        await alice.client.v1.statuses.$select(bobsPostThere.id).fetch();
        return false;
      } catch {
        return true;
      }
    });
  }, 180_000);

  it('bob’s server, down for a while, gets what alice sent meanwhile once it is back', async () => {
    await two.down();
    const meanwhile = await alice.client.v1.statuses.create({
      status: `@bob@${two.host} are you there?`,
    });
    // Long enough for the first attempts to fail and be rescheduled (the worker sends at once).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await two.up();
    await eventually('the post sent while bob’s server was down', async () =>
      (await bob.client.v1.notifications.list({ types: ['mention'] })).find(
        (n) => n.status?.uri === meanwhile.uri,
      ),
    );
  }, 180_000);
});
