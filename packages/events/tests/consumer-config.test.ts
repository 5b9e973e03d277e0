import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../src/index.js';
import {
  connectToNats,
  consumerSettings,
  ensureConsumer,
  ensureStream,
  JetStreamConfigError,
  verifyConsumer,
} from '../src/jetstream/index.js';
import { removeTopology, testNatsUrl, testTopology } from '../src/testing.js';

const S = 1e9;
let nc: NatsConnection;
let jsm: JetStreamManager;
const topology = testTopology();

beforeAll(async () => {
  nc = await connectToNats({ url: testNatsUrl(), name: 'events-test-consumer-config' });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, topology);
});

afterAll(async () => {
  await removeTopology(jsm, topology);
  await nc.close();
});

describe('ensureConsumer / verifyConsumer', () => {
  const email = consumerSettings({
    durableName: 'email',
    maxAckPending: 16,
    filterSubject: subjectFor(topology, 'UserMentioned'),
  });

  it('reports a missing consumer', async () => {
    expect(await verifyConsumer(jsm, topology, email)).toEqual([
      { field: 'consumer', expected: 'email', actual: null },
    ]);
  });

  it('creates a durable explicit-ack pull consumer with finite deliveries', async () => {
    expect((await ensureConsumer(jsm, topology, email)).action).toBe('created');
    const { config } = await jsm.consumers.info(topology.streamName, 'email');
    expect(config).toMatchObject({
      durable_name: 'email',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: 30 * S,
      max_deliver: 8,
      max_ack_pending: 16,
      filter_subject: subjectFor(topology, 'UserMentioned'),
    });
    expect(config.deliver_subject).toBeUndefined();
    expect(config.inactive_threshold ?? 0).toBe(0);
    expect(await verifyConsumer(jsm, topology, email)).toEqual([]);
    expect((await ensureConsumer(jsm, topology, email)).action).toBe('unchanged');
  });

  it('notices and corrects a consumer created with other ack settings', async () => {
    await jsm.consumers.add(topology.streamName, {
      durable_name: 'stats',
      ack_policy: 'explicit',
      ack_wait: 5 * S,
      max_deliver: -1,
    });
    const stats = consumerSettings({ durableName: 'stats', maxAckPending: 4 });
    const fields = (await verifyConsumer(jsm, topology, stats)).map((m) => m.field);
    expect(fields).toEqual(expect.arrayContaining(['ack_wait', 'max_deliver', 'max_ack_pending']));
    expect((await ensureConsumer(jsm, topology, stats)).action).toBe('updated');
    expect(await verifyConsumer(jsm, topology, stats)).toEqual([]);
  });

  it('changes and removes a filter subject', async () => {
    const mentions = consumerSettings({
      durableName: 'filtered',
      maxAckPending: 2,
      filterSubject: subjectFor(topology, 'UserMentioned'),
    });
    await ensureConsumer(jsm, topology, mentions);
    const posts = consumerSettings({
      durableName: 'filtered',
      maxAckPending: 2,
      filterSubject: subjectFor(topology, 'PostCreated'),
    });
    expect((await ensureConsumer(jsm, topology, posts)).action).toBe('updated');
    expect(await verifyConsumer(jsm, topology, posts)).toEqual([]);
    const everything = consumerSettings({ durableName: 'filtered', maxAckPending: 2 });
    expect(await verifyConsumer(jsm, topology, everything)).toEqual([
      { field: 'filter_subject', expected: '', actual: subjectFor(topology, 'PostCreated') },
    ]);
    expect((await ensureConsumer(jsm, topology, everything)).action).toBe('updated');
    expect(await verifyConsumer(jsm, topology, everything)).toEqual([]);
  });

  it('refuses to change what the server cannot (deliver policy)', async () => {
    await jsm.consumers.add(topology.streamName, {
      durable_name: 'late',
      ack_policy: 'explicit',
      deliver_policy: 'new',
    });
    const late = consumerSettings({ durableName: 'late', maxAckPending: 4 });
    const err = await ensureConsumer(jsm, topology, late).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamConfigError);
    expect((err as JetStreamConfigError).mismatches.map((m) => m.field)).toEqual([
      'deliver_policy',
    ]);
  });

  it('rejects a filter subject outside the stream', async () => {
    const stray = consumerSettings({
      durableName: 'stray',
      maxAckPending: 1,
      filterSubject: 'other.>',
    });
    await expect(ensureConsumer(jsm, topology, stray)).rejects.toBeInstanceOf(JetStreamConfigError);
  });

  it('server fact behind the defaults: with backoff set, ack_wait becomes backoff[0]', async () => {
    const info = await jsm.consumers.add(topology.streamName, {
      durable_name: 'probe',
      ack_policy: 'explicit',
      ack_wait: 30 * S,
      backoff: [1 * S, 5 * S],
      max_deliver: 8,
    });
    expect(info.config.ack_wait).toBe(1 * S);
    // consumerSettings models that, so a consumer with a server-side backoff verifies cleanly.
    const withBackoff = consumerSettings({
      durableName: 'retrying',
      maxAckPending: 2,
      backoffMs: [10_000, 60_000],
    });
    expect((await ensureConsumer(jsm, topology, withBackoff)).action).toBe('created');
    expect(await verifyConsumer(jsm, topology, withBackoff)).toEqual([]);
    // …and removing the backoff again is an update.
    const without = consumerSettings({ durableName: 'retrying', maxAckPending: 2 });
    expect((await ensureConsumer(jsm, topology, without)).action).toBe('updated');
    expect(await verifyConsumer(jsm, topology, without)).toEqual([]);
  });
});
