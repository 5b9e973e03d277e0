/**
 * The worker on a three-node JetStream cluster of this file's own, with NATS_URL listing the three
 * seeds (as operators write it) and a stream of three replicas. A node killed in the middle of the
 * posts loses nothing and doubles nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStatus, type Database } from '@murmur/db';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { PrivateNatsCluster } from '@murmur/devkit/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  expectEachMentionOnce,
  startSmtpSink,
  startWorker,
  testConfig,
  waitFor,
  type RunningWorker,
} from './_helpers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let cluster: PrivateNatsCluster;
let running: RunningWorker;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = testDb.database;
  smtp = await startSmtpSink();
  cluster = await PrivateNatsCluster.start();
  running = await startWorker(
    testConfig({
      databaseUrl: testDb.url,
      topology,
      natsUrl: cluster.url,
      smtpUrl: smtp.url,
      overrides: { streamReplicas: 3 },
    }),
    database,
  );
}, 90_000);

afterAll(async () => {
  await running?.stop();
  await cluster?.dispose();
  await smtp?.close();
  await testDb?.destroy();
});

it('connects through a list of seeds and keeps every mention across a node crash', async () => {
  expect(cluster.url.split(',')).toHaveLength(3);
  const jsm = await jetstreamManager(running.nats);
  const info = await jsm.streams.info(topology.streamName);
  expect(info.config.num_replicas).toBe(3);
  expect(info.cluster?.replicas).toHaveLength(2);

  const author = await createAccountFixture(database);
  const recipients = await Promise.all(
    Array.from({ length: 12 }, () => createAccountFixture(database)),
  );
  for (const r of recipients.slice(0, 6))
    await createStatus(database, { accountId: author.id, text: `before @${r.username}` });
  await waitFor(() => smtp.received.length === 6, { what: 'the first e-mails' });

  // The node the worker talks to goes down; the client moves to another seed.
  const connectedTo = running.nats.getServer();
  const victim = cluster.nodes.find((n) => connectedTo.endsWith(`:${n.port}`))!;
  expect(victim).toBeDefined();
  await victim.kill();
  for (const r of recipients.slice(6))
    await createStatus(database, { accountId: author.id, text: `during @${r.username}` });
  await waitFor(() => smtp.received.length === 12, {
    timeoutMs: 45_000,
    what: 'the e-mails of the posts made with a node down',
  });
  await victim.start();
  await expectEachMentionOnce(database, smtp, 12);
  expect(running.nats.getServer()).not.toBe(connectedTo);
});
