import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError, subjectFor, type EventTopology } from '../src/index.js';
import {
  connectToNats,
  ensureStream,
  isUnknownPublishOutcome,
  publishEvent,
  REQUEST_ID_HEADER,
} from '../src/jetstream/index.js';
import {
  removeTopology,
  samplePostCreated,
  sampleUserMentioned,
  testNatsUrl,
  testTopology,
} from '../src/testing.js';
import { sleep } from './_support.js';

let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
const topology = testTopology();
const shortWindow = testTopology();

beforeAll(async () => {
  nc = await connectToNats({ url: testNatsUrl(), name: 'events-test-publish' });
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
  await ensureStream(jsm, topology);
  await ensureStream(jsm, shortWindow, { duplicateWindowMs: 1_000 });
});

afterAll(async () => {
  await removeTopology(jsm, topology);
  await removeTopology(jsm, shortWindow);
  await nc.close();
});

async function messageCount(t: EventTopology): Promise<number> {
  return (await jsm.streams.info(t.streamName)).state.messages;
}

describe('publishEvent', () => {
  it('stores an event id once: the second publish is acknowledged as a duplicate', async () => {
    const before = await messageCount(topology);
    const event = samplePostCreated();
    const first = await publishEvent(js, topology, event);
    const second = await publishEvent(js, topology, structuredClone(event));
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });
    expect(await messageCount(topology)).toBe(before + 1);
  });

  it('publishes on the subject of the event type, with msg id and request id headers', async () => {
    const event = sampleUserMentioned({}, { requestId: 'req-abc-123' });
    const { seq } = await publishEvent(js, topology, event);
    const stored = (await jsm.streams.getMessage(topology.streamName, { seq }))!;
    expect(stored.subject).toBe(subjectFor(topology, 'UserMentioned'));
    expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
    expect(stored.header.get(REQUEST_ID_HEADER)).toBe('req-abc-123');
    expect(stored.json()).toEqual(event);
  });

  it('leaves the request id header out when there is none', async () => {
    const { seq } = await publishEvent(js, topology, samplePostCreated());
    const stored = (await jsm.streams.getMessage(topology.streamName, { seq }))!;
    expect(stored.header.has(REQUEST_ID_HEADER)).toBe(false);
  });

  it('never publishes an invalid event', async () => {
    const before = await messageCount(topology);
    const bad = { ...samplePostCreated(), version: 2 } as unknown as ReturnType<
      typeof samplePostCreated
    >;
    await expect(publishEvent(js, topology, bad)).rejects.toBeInstanceOf(InvalidEventError);
    expect(await messageCount(topology)).toBe(before);
  });

  it('reports "no stream answers" as an unknown outcome worth retrying', async () => {
    const nowhere = testTopology();
    const err = await publishEvent(js, nowhere, samplePostCreated(), { timeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isUnknownPublishOutcome(err)).toBe(true);
  });

  it('reports a stream mismatch as a definite failure', async () => {
    const impostor = { ...topology, streamName: 'SOME_OTHER_STREAM' };
    const err = await publishEvent(js, impostor, samplePostCreated()).catch((e: unknown) => e);
    expect(String(err)).toMatch(/expected stream does not match/);
    expect(isUnknownPublishOutcome(err)).toBe(false);
  });

  it('stores the same id again once the duplicate window has passed (consumers must dedupe)', async () => {
    const event = samplePostCreated();
    expect((await publishEvent(js, shortWindow, event)).duplicate).toBe(false);
    expect((await publishEvent(js, shortWindow, event)).duplicate).toBe(true);
    await sleep(2_500);
    expect((await publishEvent(js, shortWindow, event)).duplicate).toBe(false);
    expect(await messageCount(shortWindow)).toBe(2);
  });
});
