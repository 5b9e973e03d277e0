/**
 * Outages (reliability R30), against a nats-server this file starts itself so it can kill, pause and
 * restart it without disturbing the shared server.
 */
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, EventTopology } from '../src/index.js';
import {
  checkNatsServer,
  compareVersions,
  connectToNats,
  consumerSettings,
  ensureConsumer,
  ensureStream,
  isUnknownPublishOutcome,
  publishEvent,
  startConsumer,
  watchConnectionClosed,
  type ConsumerHandle,
} from '../src/jetstream/index.js';
import { removeTopology, samplePostCreated, testTopology } from '../src/testing.js';
import {
  natsServerBinary,
  PrivateNatsServer,
  recordingLogger,
  sleep,
  waitFor,
} from './_support.js';

describe.skipIf(!natsServerBinary)('NATS outages', () => {
  let server: PrivateNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  const topology: EventTopology = testTopology();
  const connectionLog = recordingLogger();

  beforeAll(async () => {
    server = await PrivateNatsServer.start();
    nc = await connectToNats({
      url: server.url,
      name: 'events-test-reconnect',
      logger: connectionLog,
    });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStream(jsm, topology);
  });

  afterAll(async () => {
    if (!nc.isClosed()) {
      await removeTopology(jsm, topology).catch(() => {});
      await nc.close();
    }
    await server.dispose();
  });

  /** Publishes like the outbox relay: an unknown outcome is retried with the same event. */
  async function publishWithRetry(event: DomainEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await publishEvent(js, topology, event, { timeoutMs: 1_000 });
        return;
      } catch (err) {
        if (!isUnknownPublishOutcome(err) || attempt > 50) throw err;
        await sleep(200);
      }
    }
  }

  it('reports the server version, with a warning when it is older than 2.10.23', () => {
    const check = checkNatsServer(nc);
    expect(check.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(check.warnings.length > 0).toBe(compareVersions(check.version, '2.10.23') < 0);
  });

  it('keeps consuming across a server crash and restart, losing nothing', async () => {
    await ensureConsumer(
      jsm,
      topology,
      consumerSettings({ durableName: 'crash', maxAckPending: 10 }),
    );
    const handled = new Set<string>();
    const handle: ConsumerHandle = startConsumer(js, topology, {
      consumerName: 'crash',
      concurrency: 2,
      handle: async (event) => {
        handled.add(event.id);
      },
      onInvalid: async () => {},
      retryDelayMs: () => 100,
    });
    try {
      await handle.ready;
      const before = [samplePostCreated(), samplePostCreated(), samplePostCreated()];
      for (const e of before) await publishWithRetry(e);
      await waitFor(() => handled.size === 3, { what: 'events before the crash' });

      await server.kill();
      await waitFor(() => connectionLog.lines.some((l) => l.msg?.startsWith('disconnected')), {
        what: 'the client to notice',
      });
      await sleep(500);
      await server.start();

      const after = [samplePostCreated(), samplePostCreated(), samplePostCreated()];
      for (const e of after) await publishWithRetry(e);
      await waitFor(() => handled.size === 6, {
        timeoutMs: 15_000,
        what: 'events after the restart',
      });
      expect([...handled].sort()).toEqual([...before, ...after].map((e) => e.id).sort());
      expect(connectionLog.lines.some((l) => l.msg === 'reconnected to NATS')).toBe(true);
      expect(nc.isClosed()).toBe(false);
    } finally {
      await handle.stop({ deadlineMs: 2_000 });
    }
  });

  it('recreates the pull iterator after missed heartbeats (paused server)', async () => {
    await ensureConsumer(
      jsm,
      topology,
      consumerSettings({ durableName: 'paused', maxAckPending: 10 }),
    );
    // Everything already in the stream is this consumer's backlog (deliver all).
    const backlog = (await jsm.streams.info(topology.streamName)).state.messages;
    const logger = recordingLogger();
    const handled = new Set<string>();
    const handle = startConsumer(js, topology, {
      consumerName: 'paused',
      concurrency: 2,
      logger,
      pullExpiresMs: 2_000, // idle heartbeat 1 s: two missed after ~2–3 s
      handle: async (event) => {
        handled.add(event.id);
      },
      onInvalid: async () => {},
    });
    try {
      await handle.ready;
      await waitFor(() => handled.size === backlog, { what: 'the backlog' });
      server.pause();
      await waitFor(() => logger.lines.some((l) => l.msg === 'consumer heartbeats missed'), {
        timeoutMs: 10_000,
        what: 'missed heartbeats',
      });
      server.resume();
      const event = samplePostCreated();
      await publishWithRetry(event);
      await waitFor(() => handled.has(event.id), {
        timeoutMs: 15_000,
        what: 'the event after resume',
      });
      // The loop dropped the stalled iterator and built a new one.
      expect(
        logger.lines.filter((l) => l.msg === 'consumer pulling').length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      server.resume();
      await handle.stop({ deadlineMs: 2_000 });
    }
  });

  it('connectToNats waits for a server that is not up yet', async () => {
    const late = await PrivateNatsServer.create();
    try {
      let connected = false;
      const connecting = connectToNats({ url: late.url, name: 'events-test-late' }).then((c) => {
        connected = true;
        return c;
      });
      await sleep(1_500);
      expect(connected).toBe(false);
      await late.start();
      const lateNc = await connecting;
      expect(lateNc.isClosed()).toBe(false);
      await lateNc.close();
    } finally {
      await late.dispose();
    }
  });

  it('a consumer ends (and says so) when its connection closes for good', async () => {
    const own = await connectToNats({ url: server.url, name: 'events-test-closing' });
    await ensureConsumer(
      jsm,
      topology,
      consumerSettings({ durableName: 'closing', maxAckPending: 2 }),
    );
    const logger = recordingLogger();
    const handle = startConsumer(jetstream(own), topology, {
      consumerName: 'closing',
      concurrency: 1,
      logger,
      handle: async () => {},
      onInvalid: async () => {},
    });
    await handle.ready;
    await own.close();
    await handle.closed;
    expect(
      logger.lines.some((l) => l.level === 'error' && /connection closed/.test(l.msg ?? '')),
    ).toBe(true);
    await handle.stop();
  });

  it('watchConnectionClosed reports a close, unless unwatched first', async () => {
    const other = await connectToNats({ url: server.url, name: 'events-test-close' });
    const reports: Array<Error | undefined> = [];
    const unwatch = watchConnectionClosed(other, (err) => reports.push(err));
    const quiet = await connectToNats({ url: server.url, name: 'events-test-quiet' });
    const quietReports: unknown[] = [];
    const unwatchQuiet = watchConnectionClosed(quiet, (err) => quietReports.push(err));
    unwatchQuiet();
    await Promise.all([other.close(), quiet.close()]);
    await sleep(50);
    expect(reports).toEqual([undefined]);
    expect(quietReports).toEqual([]);
    unwatch();
  });
});
