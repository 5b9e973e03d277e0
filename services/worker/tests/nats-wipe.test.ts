/**
 * Self-healing (issue 17): the NATS server comes back on empty storage, as after losing its volume.
 * The worker recreates the stream and its consumers with its own settings, the relay keeps publishing,
 * and the reconciler republishes at once what the lost stream held and no consumer had processed —
 * no restart, every mention one notification and one e-mail. The worker talks to a nats-server of
 * this test's own, killed, wiped and restarted on the same port.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccountFixture } from '@murmur/db/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { CONSUMERS } from '../src/consumers.js';
import { expectEachMentionOnce, PrivateNatsServer, waitFor } from './_helpers.js';
import {
  markPendingEventsPublished,
  mentionEach,
  startFaultRig,
  type FaultRig,
} from './_faults.js';

let rig: FaultRig<PrivateNatsServer>;

// RECONCILE_AFTER_SECONDS stays at its default (300 s): only the heal can republish in time.
beforeAll(async () => {
  rig = await startFaultRig(() => PrivateNatsServer.start());
});

afterAll(async () => {
  await rig?.dispose();
});

it('recreates the stream and consumers after the server lost its storage, and delivers everything once', async () => {
  const { database, smtp, nats, running, topology } = rig;
  const author = await createAccountFixture(database);
  await mentionEach(database, author, 3, 'before');
  await waitFor(() => smtp.received.length === 3, { what: 'the e-mails before the wipe' });

  await nats.kill();
  // Posts whose events the stream had stored (and acknowledged) when it was lost.
  await mentionEach(database, author, 3, 'lost');
  await markPendingEventsPublished(database);
  await nats.wipe();
  await nats.start();
  const healedAt = Date.now();
  await mentionEach(database, author, 4, 'after');

  await expectEachMentionOnce(database, smtp, 10, { timeoutMs: 30_000 });
  expect(Date.now() - healedAt).toBeLessThan(30_000);
  expect(running.worker.keeper.healed).toBeGreaterThanOrEqual(1);
  const jsm = await jetstreamManager(running.nats);
  const consumers = [];
  for await (const c of jsm.consumers.list(topology.streamName)) consumers.push(c.name);
  expect(consumers.sort()).toEqual(CONSUMERS.map((c) => c.name).sort());
  const republished = await database.pool.query(
    `select 1 from outbox_events where republish_count > 0`,
  );
  expect(republished.rows.length).toBeGreaterThanOrEqual(6); // the lost post and mention events
});
