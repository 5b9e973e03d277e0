/**
 * Inbox throughput (issue 21: "inbox activities verified and processed per second"). `--actors`
 * remote actors (each with its own RSA key, served by a loopback server as Mastodon serves them)
 * each `Like` `--statuses` public statuses of a local account: one signed activity apiece.
 *
 * 1. Verified: the signed POSTs go over HTTP, `--concurrency` at a time, to Murmur's inbox (Fedify's
 *    handler with Murmur's federation, as the API mounts it, and the instance-domain-block gate):
 *    signature checked against the actor's cached key, the activity recorded once
 *    (`received_activities` + the `RemoteActivityReceived` event) and answered 202. Each actor's
 *    key is fetched in a warm-up round first (one activity per actor, not timed), so the timed
 *    activities measure the steady state, keys cached, as on a server that federates every day.
 * 2. Processed: the recorded events are applied as the worker's `federation-inbox` consumer does
 *    (`createInboxApplier`, then the event's marker), `--workers` at a time, minus JetStream: the
 *    actor read again (cached document) and stored, the favourite with its count and event.
 * 3. Reference, in the same run: the same POSTs (same bytes and headers) to an endpoint of the same
 *    HTTP server that only reads the body and parses it as JSON, then answers 202.
 *
 *   pnpm --filter @murmur/bench federation-inbox [--actors 50] [--statuses 40] [--concurrency 32]
 *     [--workers 8]
 * Its own database (`murmur_bench_fedsafety_inbox`, recreated each run, on BENCH_DATABASE_URL's
 * server). Client, remote actors and the server under test share this process; the reference
 * shares it the same way. Prints the load average beside the figures: the machine may be shared.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { generateCryptoKeyPair, signRequest } from '@fedify/fedify';
import { CryptographicKey, Person } from '@fedify/vocab';
import { createDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { markEventProcessed } from '@murmur/db/events';
import {
  createDomainGate,
  createInboxApplier,
  createMurmurFederation,
  createRemoteAccountResolver,
} from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import { Limiter } from '@murmur/service-kit';
import pg from 'pg';
import { openBenchDatabase } from './bench-database.js';

const ORIGIN = 'https://murmur.bench';
const HOST = new URL(ORIGIN).host;
const ACTIVITY_JSON = 'application/activity+json';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive integer`);
  return value;
}

const settings = {
  actors: option('actors', 50),
  statuses: option('statuses', 40),
  concurrency: option('concurrency', 32),
  workers: option('workers', 8),
};

interface SignedPost {
  body: string;
  headers: Record<string, string>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** The remote actors' server: actor documents (with their keys) and an inbox that takes anything. */
async function startRemoteActors(count: number) {
  const server = createServer((request, response) => {
    void (async () => {
      await readBody(request);
      const document = documents.get(request.url ?? '');
      if (request.method === 'GET' && document) {
        response.writeHead(200, { 'content-type': ACTIVITY_JSON }).end(document);
      } else {
        response.writeHead(request.method === 'POST' ? 202 : 404).end();
      }
    })();
  });
  const documents = new Map<string, string>();
  const port = await listen(server);
  const origin = `http://127.0.0.1:${port}`;
  const actors = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
      const id = new URL(`${origin}/users/a${i}`);
      const keyId = new URL(`${id.href}#main-key`);
      const person = new Person({
        id,
        preferredUsername: `a${i}`,
        inbox: new URL(`${id.href}/inbox`),
        publicKey: new CryptographicKey({ id: keyId, owner: id, publicKey: keys.publicKey }),
      });
      documents.set(id.pathname, JSON.stringify(await person.toJsonLd()));
      return { id, keyId, privateKey: keys.privateKey };
    }),
  );
  return { server, actors };
}

/** POSTs `post` to the server under test at `path`; resolves with the status code. */
function send(agent: Agent, port: number, path: string, post: SignedPost): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: post.headers },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(post.body);
  });
}

async function sendAll(
  agent: Agent,
  port: number,
  path: string,
  posts: readonly SignedPost[],
): Promise<{ ms: number; statuses: Map<number, number> }> {
  const limiter = new Limiter(settings.concurrency);
  const statuses = new Map<number, number>();
  const start = performance.now();
  await Promise.all(
    posts.map((post) =>
      limiter.run(async () => {
        const status = await send(agent, port, path, post);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    ),
  );
  return { ms: performance.now() - start, statuses };
}

async function main(): Promise<void> {
  const databaseServer =
    process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: databaseServer });
  await admin.connect();
  await admin.query('drop database if exists murmur_bench_fedsafety_inbox with (force)');
  await admin.end();
  const { url, client } = await openBenchDatabase(databaseServer, 'murmur_bench_fedsafety_inbox');
  const database = createDatabase({
    url,
    poolSize: 20,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });

  const {
    rows: [author],
  } = await client.query<{ id: string }>(
    `insert into accounts (username, email, password_hash)
     values ('fi_author', 'fi_author@bench.invalid', 'x') returning id::text`,
  );
  const statusIds: string[] = [];
  for (let i = 0; i < settings.statuses + 1; i++) {
    statusIds.push((await createStatus(database, { accountId: author!.id, text: `post ${i}` })).id);
  }

  const remote = await startRemoteActors(settings.actors);
  const safeFetch = createSafeFetch({
    allowedPrivateAddresses: ['127.0.0.0/8'],
    timeoutMs: 10_000,
  });
  const federation = createMurmurFederation({
    database,
    publicOrigin: ORIGIN,
    profileImageUrl: (key) => `${ORIGIN}/media/${key}`,
    fetch: safeFetch,
  });
  const gate = createDomainGate(database);

  // The server under test: the inbox as the API mounts it (the gate, then Fedify), and the
  // reference endpoint that only parses.
  let parsed = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (request.url === '/plain') {
        JSON.parse(body.toString('utf8'));
        parsed += 1;
        response.writeHead(202).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const webRequest = new Request(new URL(request.url ?? '/', ORIGIN), {
        method: 'POST',
        headers,
        body: new Uint8Array(body),
      });
      if (await gate.refuses(webRequest, body)) {
        response.writeHead(403).end();
        return;
      }
      const answer = await federation.fetch(webRequest, { contextData: undefined });
      response.writeHead(answer.status).end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      console.error(error);
      response.writeHead(500).end();
    });
  });
  const port = await listen(server);
  const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency });

  /** A signed `Like` of `statusId` by `actor`, as its server would POST it to the shared inbox. */
  async function signedLike(
    actor: (typeof remote.actors)[number],
    statusId: string,
    n: number,
  ): Promise<SignedPost> {
    const body = JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor.id.href}#likes/${n}`,
      type: 'Like',
      actor: actor.id.href,
      object: `${ORIGIN}/users/fi_author/statuses/${statusId}`,
    });
    const signed = await signRequest(
      new Request(`${ORIGIN}/inbox`, {
        method: 'POST',
        headers: { 'content-type': ACTIVITY_JSON, host: HOST },
        body,
      }),
      actor.privateKey,
      actor.keyId,
      { spec: 'draft-cavage-http-signatures-12' },
    );
    return { body, headers: { ...Object.fromEntries(signed.headers), host: HOST } };
  }

  // Warm-up: each actor's first activity (its key fetched and cached), on the extra status.
  const warmUp = await Promise.all(
    remote.actors.map((actor, i) => signedLike(actor, statusIds[settings.statuses]!, i)),
  );
  const warm = await sendAll(agent, port, '/inbox', warmUp);
  const posts: SignedPost[] = [];
  let n = settings.actors;
  for (const statusId of statusIds.slice(0, settings.statuses)) {
    for (const actor of remote.actors) posts.push(await signedLike(actor, statusId, n++));
  }

  const loadBefore = loadavg();
  // 1. Verified and recorded.
  const inbox = await sendAll(agent, port, '/inbox', posts);
  const loadAfterInbox = loadavg();
  // 3. The reference: the same bytes, only parsed.
  const reference = await sendAll(agent, port, '/plain', posts);

  // 2. Processed: every recorded activity applied as the worker's consumer does.
  const { rows: events } = await client.query<{
    id: string;
    data: { activityId: string; actorUri: string; activity: Record<string, unknown> };
  }>(
    `select payload->>'id' as id, payload->'data' as data from outbox_events
     where type = 'RemoteActivityReceived' order by occurred_at`,
  );
  const resolver = createRemoteAccountResolver({
    database,
    federation,
    fetch: safeFetch,
    publicOrigin: ORIGIN,
  });
  const apply = createInboxApplier({
    database,
    federation,
    resolver,
    fetch: safeFetch,
    publicOrigin: ORIGIN,
  });
  // The warm-up's activities first, untimed (each actor stored once, as after its first visit).
  const warmEvents = events.slice(0, settings.actors);
  const timedEvents = events.slice(settings.actors);
  const workers = new Limiter(settings.workers);
  const applyAll = (batch: typeof events) =>
    Promise.all(
      batch.map((event) =>
        workers.run(async () => {
          await apply(event.data);
          await markEventProcessed(database, 'federation-inbox', event.id);
        }),
      ),
    );
  await applyAll(warmEvents);
  const processStart = performance.now();
  await applyAll(timedEvents);
  const processMs = performance.now() - processStart;
  const loadAfter = loadavg();
  const {
    rows: [favourites],
  } = await client.query<{ count: string }>(
    `select count(*)::text as count from favourites where status_id = any($1::bigint[])`,
    [statusIds.slice(0, settings.statuses)],
  );

  const count = posts.length;
  const rate = (ms: number) => (count / (ms / 1000)).toFixed(0);
  const accepted = inbox.statuses.get(202) ?? 0;
  console.log(
    `\nInbox: ${count} signed Likes from ${settings.actors} remote actors (keys cached after a ` +
      `warm-up of ${settings.actors}, ${warm.statuses.get(202) ?? 0} accepted), ` +
      `${settings.concurrency} requests at once, ${settings.workers} applying at once\n`,
  );
  console.log('| measure | activities/s | ms |');
  console.log('| --- | ---: | ---: |');
  console.log(
    `| verified and recorded by the inbox (202) | ${rate(inbox.ms)} | ${inbox.ms.toFixed(0)} |`,
  );
  console.log(
    `| reference: the same POSTs, body only parsed (202) | ${rate(reference.ms)} | ${reference.ms.toFixed(0)} |`,
  );
  console.log(
    `| processed (applied as the worker does) | ${rate(processMs)} | ${processMs.toFixed(0)} |`,
  );
  console.log(
    `| verified and processed, one after the other | ${rate(inbox.ms + processMs)} | ${(inbox.ms + processMs).toFixed(0)} |`,
  );
  console.log(
    `| all accepted, recorded once and applied | ${accepted === count && events.length === count + settings.actors && Number(favourites!.count) === count && parsed === count ? 'yes' : `NO (202: ${accepted}, events ${events.length}, favourites ${favourites!.count}, parsed ${parsed})`} | |`,
  );
  console.log(
    `| load average (1 min) before → after the inbox → after processing | ${loadBefore[0]!.toFixed(2)} → ${loadAfterInbox[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)} | |`,
  );

  agent.destroy();
  server.close();
  remote.server.close();
  await client.end();
  await database.close();
}

await main();
