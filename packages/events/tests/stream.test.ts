import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamSubjects } from '../src/index.js';
import {
  connectToNats,
  ensureStream,
  JetStreamConfigError,
  streamSettings,
  verifyStream,
} from '../src/jetstream/index.js';
import { removeTopology, testNatsUrl, testTopology } from '../src/testing.js';

let nc: NatsConnection;
let jsm: JetStreamManager;
const topology = testTopology();
const memoryTopology = testTopology();

beforeAll(async () => {
  nc = await connectToNats({ url: testNatsUrl(), name: 'events-test-stream' });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await removeTopology(jsm, topology);
  await removeTopology(jsm, memoryTopology);
  await nc.close();
});

describe('ensureStream / verifyStream', () => {
  it('reports a missing stream', async () => {
    expect(await verifyStream(jsm, topology)).toEqual([
      { field: 'stream', expected: topology.streamName, actual: null },
    ]);
  });

  it('creates the stream with file storage and a 10 minute duplicate window', async () => {
    const result = await ensureStream(jsm, topology);
    expect(result.action).toBe('created');
    const info = await jsm.streams.info(topology.streamName);
    expect(info.config.storage).toBe('file');
    expect(info.config.retention).toBe('limits');
    expect(info.config.duplicate_window).toBe(10 * 60 * 1e9);
    expect(info.config.max_age).toBe(7 * 24 * 3600 * 1e9);
    expect(info.config.subjects).toEqual(streamSubjects(topology));
    expect(await verifyStream(jsm, topology, streamSettings(topology))).toEqual([]);
  });

  it('leaves a matching stream alone', async () => {
    expect((await ensureStream(jsm, topology)).action).toBe('unchanged');
  });

  it('updates changeable settings, and verify notices the difference first', async () => {
    const shorter = streamSettings(topology, { maxAgeMs: 24 * 3600_000 });
    expect(await verifyStream(jsm, topology, shorter)).toEqual([
      { field: 'max_age', expected: 24 * 3600 * 1e9, actual: 7 * 24 * 3600 * 1e9 },
    ]);
    expect((await ensureStream(jsm, topology, { maxAgeMs: 24 * 3600_000 })).action).toBe('updated');
    expect(await verifyStream(jsm, topology, shorter)).toEqual([]);
    expect((await ensureStream(jsm, topology)).action).toBe('updated');
  });

  it('reports every difference of a stream created differently (memory storage, defaults)', async () => {
    await jsm.streams.add({
      name: memoryTopology.streamName,
      subjects: streamSubjects(memoryTopology),
      storage: 'memory',
    });
    const mismatches = await verifyStream(jsm, memoryTopology);
    const fields = mismatches.map((m) => m.field);
    expect(mismatches).toContainEqual({ field: 'storage', expected: 'file', actual: 'memory' });
    expect(fields).toContain('duplicate_window');
    expect(fields).toContain('max_age');
  });

  it('refuses to "fix" a setting the server cannot change', async () => {
    const err = await ensureStream(jsm, memoryTopology).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamConfigError);
    expect((err as JetStreamConfigError).mismatches.map((m) => m.field)).toEqual(['storage']);
    expect((await jsm.streams.info(memoryTopology.streamName)).config.storage).toBe('memory');
  });
});
