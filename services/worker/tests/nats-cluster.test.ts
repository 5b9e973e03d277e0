/**
 * The worker on a three-node JetStream cluster of this file's own, with NATS_URL listing the three
 * seeds (as operators write it) and a stream of three replicas. A node killed in the middle of the
 * posts loses nothing and doubles nothing; the whole cluster restarted on empty storage is healed
 * without a restart (stream and consumers recreated, the lost events republished).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture } from '@murmur/db/testing';
import { PrivateNatsCluster } from '@murmur/devkit/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { expectEachMentionOnce, waitFor } from './_helpers.js';
import {
  markPendingEventsPublished,
  mentionEach,
  startFaultRig,
  type FaultRig,
} from './_faults.js';

let rig: FaultRig<PrivateNatsCluster>;

beforeAll(async () => {
  rig = await startFaultRig(() => PrivateNatsCluster.start(), {
    overrides: { streamReplicas: 3 },
  });
}, 90_000);

afterAll(async () => {
  await rig?.dispose();
});

it('connects through a list of seeds and keeps every mention across a node crash', async () => {
  const { database, smtp, nats: cluster, running, topology } = rig;
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

it('heals when every node comes back with its storage wiped', async () => {
  const { database, smtp, nats: cluster, running, topology } = rig;
  const before = smtp.received.length;
  const author = await createAccountFixture(database);
  await cluster.killAll();
  await mentionEach(database, author, 3, 'lost');
  await markPendingEventsPublished(database);
  await cluster.wipeAll();
  await cluster.startAll();
  const restartedAt = Date.now();
  await mentionEach(database, author, 5, 'after the wipe');

  await expectEachMentionOnce(database, smtp, before + 8, { timeoutMs: 60_000 });
  const healSeconds = (Date.now() - restartedAt) / 1000;
  expect(healSeconds).toBeLessThan(60);
  const jsm = await jetstreamManager(running.nats);
  const info = await jsm.streams.info(topology.streamName);
  expect(info.config.num_replicas).toBe(3);
  expect(running.worker.keeper.healed).toBeGreaterThanOrEqual(1);
}, 90_000);
