import {
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidEventError,
  subjectFor,
  type DomainEvent,
  type EventTopology,
} from '../src/index.js';
import {
  connectToNats,
  consumerSettings,
  ensureConsumer,
  ensureStream,
  publishEvent,
  startConsumer,
  type ConsumerHandle,
  type ConsumerSettingsInput,
  type DeliveryMeta,
  type InvalidDelivery,
  type StartConsumerOptions,
} from '../src/jetstream/index.js';
import {
  removeTopology,
  samplePostCreated,
  sampleUserMentioned,
  testNatsUrl,
  testTopology,
} from '../src/testing.js';
import { recordingLogger, sleep, waitFor } from './_support.js';

let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
const topologies: EventTopology[] = [];
const handles: ConsumerHandle[] = [];

beforeAll(async () => {
  nc = await connectToNats({ url: testNatsUrl(), name: 'events-test-consume' });
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop({ deadlineMs: 1_000 })));
});

afterAll(async () => {
  for (const t of topologies) await removeTopology(jsm, t);
  await nc.close();
});

/** A stream of its own for one test, with one durable consumer `worker`. */
async function setup(consumer: Partial<ConsumerSettingsInput> = {}) {
  const topology = testTopology();
  topologies.push(topology);
  await ensureStream(jsm, topology);
  await ensureConsumer(
    jsm,
    topology,
    consumerSettings({ durableName: 'worker', maxAckPending: 100, ackWaitMs: 5_000, ...consumer }),
  );
  return topology;
}

type Options = Omit<StartConsumerOptions, 'consumerName' | 'onInvalid'> &
  Partial<Pick<StartConsumerOptions, 'onInvalid'>>;

async function start(topology: EventTopology, options: Options): Promise<ConsumerHandle> {
  const handle = startConsumer(js, topology, {
    consumerName: 'worker',
    onInvalid: async () => {
      throw new Error('unexpected invalid message');
    },
    retryDelayMs: () => 100,
    ...options,
  });
  handles.push(handle);
  await handle.ready;
  return handle;
}

function consumerInfo(topology: EventTopology): Promise<ConsumerInfo> {
  return jsm.consumers.info(topology.streamName, 'worker');
}

async function publishMany(topology: EventTopology, n: number): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for (let i = 0; i < n; i++) {
    const event = i % 2 === 0 ? samplePostCreated() : sampleUserMentioned();
    await publishEvent(js, topology, event);
    events.push(event);
  }
  return events;
}

/** Waits until the server has every message acknowledged and nothing left to deliver. */
async function allAcked(topology: EventTopology, timeoutMs = 10_000): Promise<ConsumerInfo> {
  return waitFor(
    async () => {
      const info = await consumerInfo(topology);
      return info.num_ack_pending === 0 && info.num_pending === 0 ? info : null;
    },
    { timeoutMs, what: 'all messages acknowledged' },
  );
}

describe('startConsumer', () => {
  it('handles and acknowledges every event once', async () => {
    const topology = await setup();
    const logger = recordingLogger();
    const seen: Array<{ event: DomainEvent; meta: DeliveryMeta }> = [];
    const handle = await start(topology, {
      concurrency: 4,
      logger,
      handle: async (event, meta) => {
        seen.push({ event, meta });
      },
    });
    const events = await publishMany(topology, 20);
    const info = await allAcked(topology);
    expect(seen).toHaveLength(20);
    expect(new Set(seen.map((s) => s.event.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(info.num_redelivered).toBe(0);
    for (const { event, meta } of seen) {
      expect(meta.deliveryCount).toBe(1);
      expect(meta.redelivered).toBe(false);
      expect(meta.subject).toBe(subjectFor(topology, event.type));
      expect(meta.streamSeq).toBe(events.findIndex((e) => e.id === event.id) + 1);
    }
    await handle.idle();
    expect(handle.inFlight).toBe(0);
    // Every log line about an event names it.
    const eventLines = logger.lines.filter((l) => 'streamSeq' in l.obj);
    expect(eventLines.length).toBeGreaterThanOrEqual(20);
    for (const line of eventLines) expect(line.obj.eventId).toEqual(expect.any(String));
  });

  it('redelivers an event whose handler failed, with a higher delivery count', async () => {
    const topology = await setup();
    const logger = recordingLogger();
    const deliveries: DeliveryMeta[] = [];
    await start(topology, {
      concurrency: 2,
      logger,
      handle: async (_event, meta) => {
        deliveries.push(meta);
        if (meta.deliveryCount === 1) throw new Error('database unavailable');
      },
    });
    const [event] = await publishMany(topology, 1);
    const info = await allAcked(topology);
    expect(deliveries.map((d) => [d.deliveryCount, d.redelivered])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(info.num_redelivered).toBe(0); // nothing is waiting for redelivery any more
    const warning = logger.lines.find(
      (l) => l.level === 'warn' && l.msg?.includes('handler failed'),
    );
    expect(warning?.obj).toMatchObject({ eventId: event!.id, deliveryCount: 1, retryInMs: 100 });
  });

  it('rides out a transient outage in place: no delivery spent, however long it lasts', async () => {
    // maxDeliver 2: spending deliveries on the outage would exhaust them after one retry.
    const topology = await setup({ maxDeliver: 2, ackWaitMs: 1_000 });
    const logger = recordingLogger();
    const deliveries: number[] = [];
    let failuresLeft = 12; // about 1.2 s of outage: past the ack wait, as many times as maxDeliver
    await start(topology, {
      concurrency: 1,
      logger,
      workingIntervalMs: 300,
      isTransient: (err) => err instanceof Error && err.message === 'connect ECONNREFUSED',
      transientRetryDelayMs: () => 100,
      handle: async (_event, meta) => {
        deliveries.push(meta.deliveryCount);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('connect ECONNREFUSED');
        }
      },
    });
    await publishMany(topology, 1);
    const info = await allAcked(topology);
    expect(deliveries).toHaveLength(13);
    expect(new Set(deliveries)).toEqual(new Set([1])); // every attempt within the first delivery
    expect(info.num_redelivered).toBe(0);
    expect(
      logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('no delivery spent')),
    ).toBe(true);
  });

  it('control: without isTransient the same outage spends deliveries', async () => {
    const topology = await setup();
    const deliveries: number[] = [];
    let failuresLeft = 2;
    await start(topology, {
      concurrency: 1,
      handle: async (_event, meta) => {
        deliveries.push(meta.deliveryCount);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('connect ECONNREFUSED');
        }
      },
    });
    await publishMany(topology, 1);
    await allAcked(topology);
    expect(deliveries).toEqual([1, 2, 3]);
  });

  it('dead-letters an invalid message and keeps the valid ones flowing', async () => {
    const topology = await setup();
    const invalid: InvalidDelivery[] = [];
    const handled: string[] = [];
    await start(topology, {
      concurrency: 1,
      handle: async (event) => {
        handled.push(event.id);
      },
      onInvalid: async (raw) => {
        invalid.push(raw);
      },
    });
    const [first] = await publishMany(topology, 1);
    const rawBody = new TextEncoder().encode('{"type":"PostCreated"}');
    const rawAck = await js.publish(subjectFor(topology, 'PostCreated'), rawBody);
    const [second] = await publishMany(topology, 1);
    await allAcked(topology);
    expect(handled).toEqual([first!.id, second!.id]);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({
      subject: subjectFor(topology, 'PostCreated'),
      streamSeq: rawAck.seq,
      deliveryCount: 1,
      data: rawBody,
    });
    expect(invalid[0]!.error).toBeInstanceOf(InvalidEventError);
    // Terminated, not merely left to time out: nothing pending on the server.
    expect((await consumerInfo(topology)).num_ack_pending).toBe(0);
  });

  it('treats an event on the wrong subject as invalid', async () => {
    const topology = await setup();
    const invalid: InvalidDelivery[] = [];
    const handled: string[] = [];
    await start(topology, {
      concurrency: 1,
      handle: async (event) => {
        handled.push(event.id);
      },
      onInvalid: async (raw) => {
        invalid.push(raw);
      },
    });
    const mention = sampleUserMentioned();
    await js.publish(subjectFor(topology, 'PostCreated'), JSON.stringify(mention));
    await allAcked(topology);
    expect(handled).toEqual([]);
    expect(invalid.map((i) => i.error.message)).toEqual([
      expect.stringContaining('does not belong on'),
    ]);
  });

  it('retries the dead-lettering when onInvalid fails, instead of losing the message', async () => {
    const topology = await setup();
    const attempts: number[] = [];
    await start(topology, {
      concurrency: 1,
      handle: async () => {},
      onInvalid: async (raw) => {
        attempts.push(raw.deliveryCount);
        if (raw.deliveryCount === 1) throw new Error('dead letter table unavailable');
      },
    });
    await js.publish(subjectFor(topology, 'UserMentioned'), 'not json');
    await allAcked(topology);
    expect(attempts).toEqual([1, 2]);
  });

  it('keeps a slow handler’s message with working(): no redelivery past the ack wait', async () => {
    const topology = await setup({ ackWaitMs: 2_000 });
    let calls = 0;
    await start(topology, {
      concurrency: 2,
      handle: async () => {
        calls++;
        await sleep(3_000);
      },
    });
    await publishMany(topology, 1);
    const info = await allAcked(topology, 8_000);
    expect(calls).toBe(1);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
  });

  it('control: the same slow handler without working() is redelivered', async () => {
    const topology = await setup({ ackWaitMs: 2_000 });
    let calls = 0;
    await start(topology, {
      concurrency: 2,
      workingIntervalMs: 0,
      handle: async () => {
        calls++;
        await sleep(3_000);
      },
    });
    await publishMany(topology, 1);
    await waitFor(() => calls === 2, { timeoutMs: 8_000, what: 'a redelivery' });
    expect((await consumerInfo(topology)).delivered.consumer_seq).toBe(2);
  });

  it('never runs more handlers than the concurrency', async () => {
    const topology = await setup();
    let active = 0;
    let maxActive = 0;
    let done = 0;
    await start(topology, {
      concurrency: 3,
      handle: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(100);
        active--;
        done++;
      },
    });
    await publishMany(topology, 12);
    await allAcked(topology);
    expect(done).toBe(12);
    expect(maxActive).toBe(3);
  });

  it('confirms the acks of handlers that finish together with one request, and loses none', async () => {
    const topology = await setup();
    // Every acknowledgement this consumer sends, as the server receives it: a confirmation
    // request (ackAck) carries a reply subject, a plain +ACK does not.
    const acks: Array<{ confirmed: boolean }> = [];
    const watch = nc.subscribe(`$JS.ACK.${topology.streamName}.worker.>`, {
      callback: (_err, msg) => {
        if (new TextDecoder().decode(msg.data) === '+ACK') acks.push({ confirmed: !!msg.reply });
      },
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const handle = await start(topology, {
      concurrency: 20,
      handle: async () => {
        started++;
        await gate;
      },
    });
    await publishMany(topology, 20);
    await waitFor(async () => (started === 20 ? true : null), { what: '20 handlers running' });
    release();
    const info = await allAcked(topology);
    await handle.idle();
    await nc.flush();
    watch.unsubscribe();
    expect(info.num_redelivered).toBe(0);
    expect(acks).toHaveLength(20);
    expect(acks.filter((a) => a.confirmed)).toHaveLength(1);
    // Nothing left to redeliver after the ack wait either.
    await sleep(5_500);
    expect((await consumerInfo(topology)).num_redelivered).toBe(0);
  });

  it('prefetches no more than the concurrency, even when the server would send more', async () => {
    const topology = await setup({ maxAckPending: 1_000 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    await start(topology, {
      concurrency: 2,
      handle: async () => {
        started++;
        await gate;
      },
    });
    await publishMany(topology, 20);
    await waitFor(() => started === 2, { what: 'two handlers running' });
    await sleep(500);
    const held = await consumerInfo(topology);
    // At most `concurrency` running plus `concurrency` buffered, not nats.js's default 100.
    expect(held.num_ack_pending).toBeLessThanOrEqual(4);
    expect(started).toBe(2);
    release();
    await allAcked(topology);
    expect(started).toBe(20);
  });

  it('stop() waits for running handlers, acks them, and hands buffered messages back', async () => {
    const topology = await setup({ ackWaitMs: 10_000 });
    const order: string[] = [];
    let started = 0;
    const handle = await start(topology, {
      concurrency: 2,
      handle: async (event) => {
        started++;
        order.push(`started ${event.id}`);
        await sleep(1_000);
        order.push(`finished ${event.id}`);
      },
    });
    const events = await publishMany(topology, 6);
    await waitFor(() => started === 2, { what: 'two handlers' });
    await sleep(200); // let the client buffer fill
    await handle.stop();
    order.push('stop resolved');
    expect(started).toBe(2);
    expect(order.slice(2)).toEqual([
      expect.stringMatching(/^finished /),
      expect.stringMatching(/^finished /),
      'stop resolved',
    ]);
    const info = await consumerInfo(topology);
    expect(info.ack_floor.stream_seq).toBe(2); // both in-flight messages were acknowledged

    // Buffered messages were given back (nak), so a new consumer gets them long before the 10 s ack wait.
    const rest: string[] = [];
    await start(topology, {
      concurrency: 4,
      handle: async (event) => {
        rest.push(event.id);
      },
    });
    await waitFor(() => rest.length === 4, { timeoutMs: 5_000, what: 'the remaining events' });
    expect(new Set(rest)).toEqual(new Set(events.slice(2).map((e) => e.id)));
    await allAcked(topology);
  });

  it('stop() gives up waiting at its deadline and says which events are still running', async () => {
    const topology = await setup();
    const logger = recordingLogger();
    let started = false;
    const handle = await start(topology, {
      concurrency: 1,
      logger,
      handle: async () => {
        started = true;
        await sleep(3_000);
      },
    });
    const [event] = await publishMany(topology, 1);
    await waitFor(() => started, { what: 'the handler' });
    const t0 = Date.now();
    await handle.stop({ deadlineMs: 300 });
    expect(Date.now() - t0).toBeLessThan(1_500);
    const warning = logger.lines.find((l) => l.msg?.includes('stop deadline'));
    expect(warning?.obj.eventIds).toEqual([event!.id]);
  });
});
