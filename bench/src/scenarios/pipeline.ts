/**
 * The event pipeline: statuses created at a fixed rate through `createStatus` (each mentioning two
 * accounts), with the worker running. Measures commit → notification row and commit → e-mail accepted
 * by an SMTP sink running in this process, and, as the reference, raw JetStream publish and
 * consume-with-ack rates on a scratch stream in the same run.
 */
import { createDatabase } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { startSmtpSink as startSharedSmtpSink } from '@murmur/devkit/smtp-sink';
import type { DatasetInfo } from '../dataset.js';
import type { PipelineResult } from '../report.js';
import { startService, type RunMode } from '../services.js';
import { summarize } from '../stats.js';
import { createdStatusText } from './create-status.js';
import { untilDue } from '../open-load.js';

export interface PipelineOptions {
  databaseUrl: string;
  natsUrl: string;
  info: DatasetInfo;
  ratePerSecond: number;
  durationSeconds: number;
  mode: RunMode;
  logLevel: string;
  logDirectory: string;
  /** Messages for the JetStream reference. */
  referenceMessages: number;
  log: (message: string) => void;
}

interface SmtpSink {
  port: number;
  /** Arrival time (ms) per Message-ID, without angle brackets. */
  readonly arrivals: Map<string, number>;
  close(): Promise<void>;
}

/** The shared sink, seen as arrival times (epoch ms) per Message-ID without angle brackets. */
async function startArrivalSink(): Promise<SmtpSink> {
  const sink = await startSharedSmtpSink();
  return {
    port: sink.port,
    get arrivals() {
      return new Map<string, number>(
        sink.received.map((mail) => [
          (mail.headers['message-id'] ?? '').replace(/^<|>$/g, ''),
          mail.receivedAtEpochMs,
        ]),
      );
    },
    close: sink.close,
  };
}

/** Raw JetStream: publish with a message id (as the relay does), then consume and ack, on a scratch stream. */
export async function jetStreamReference(
  natsUrl: string,
  messages: number,
): Promise<{ publishPerSecond: number; consumeAckPerSecond: number; version: string }> {
  const nc = await connect({ servers: natsUrl, name: 'murmur-bench' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `BENCH_SCRATCH_${process.pid}`;
  const subject = `bench.scratch.${process.pid}`;
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [`${subject}.>`],
      duplicate_window: 600_000_000_000,
    });
    const payload = new TextEncoder().encode(
      JSON.stringify({
        type: 'UserMentioned',
        data: { statusId: '1'.repeat(18), padding: 'x'.repeat(200) },
      }),
    );
    const started = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < messages; i++) {
      const ack = js.publish(`${subject}.event`, payload, { msgID: `bench-${process.pid}-${i}` });
      inFlight.add(ack);
      void ack.finally(() => inFlight.delete(ack));
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const publishSeconds = (performance.now() - started) / 1000;

    await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(stream, 'bench');
    const consumeStarted = performance.now();
    const iterator = await consumer.consume({ max_messages: 256 });
    let received = 0;
    for await (const message of iterator) {
      if (++received === messages) {
        await message.ackAck();
        break;
      }
      message.ack();
    }
    const consumeSeconds = (performance.now() - consumeStarted) / 1000;
    return {
      publishPerSecond: messages / publishSeconds,
      consumeAckPerSecond: messages / consumeSeconds,
      version: nc.info?.version ?? 'unknown',
    };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

async function deleteStream(natsUrl: string, name: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, name: 'murmur-bench' });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

function latencies(commits: Map<string, number>, arrivals: Iterable<[string, number]>): number[] {
  const values: number[] = [];
  for (const [statusId, at] of arrivals) {
    const committed = commits.get(statusId);
    if (committed !== undefined) values.push(at - committed);
  }
  return values;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { info, log } = options;
  const reference = await jetStreamReference(options.natsUrl, options.referenceMessages).catch(
    (error: Error) => {
      log(`JetStream reference failed: ${error.message}`);
      return null;
    },
  );

  const sink = await startArrivalSink();
  // Its own stream and subjects, so nothing else on this NATS server sees the benchmark's events.
  const streamName = `BENCH_EVENTS_${process.pid}`;
  const worker = await startService(
    'worker',
    options.mode,
    {
      databaseUrl: options.databaseUrl,
      natsUrl: options.natsUrl,
      logLevel: options.logLevel,
      extra: {
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        NATS_STREAM: streamName,
        NATS_SUBJECT_PREFIX: `bench.events.${process.pid}`,
        PUBLIC_URL: 'http://localhost:3000',
      },
    },
    options.logDirectory,
  );
  // Creation may queue behind a busy database; it must not fail for want of a pooled connection, since
  // latency is measured from each commit.
  const database = createDatabase({
    url: options.databaseUrl,
    poolSize: 10,
    connectionTimeoutMs: 60_000,
    applicationName: 'murmur-bench',
  });
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const commits = new Map<string, number>();
    const total = Math.round(options.ratePerSecond * options.durationSeconds);
    const started = performance.now();
    const startedAt = Date.now();
    const inFlight = new Set<Promise<void>>();
    let failures = 0;
    let firstFailure = '';
    // Open model: each status starts at its scheduled time whatever happened to the previous ones.
    for (let n = 0; n < total; n++) {
      await untilDue(started, n, options.ratePerSecond);
      const task = createStatus(database, {
        accountId: info.posterAccountIds[n % info.posterAccountIds.length]!,
        text: createdStatusText(info, n),
      })
        .then((status) => void commits.set(status.id, Date.now()))
        .catch((error: Error) => {
          if (failures++ === 0) firstFailure = error.message;
        });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await Promise.all(inFlight);
    const createSeconds = (performance.now() - started) / 1000;
    log(
      `created ${commits.size} statuses in ${createSeconds.toFixed(1)} s (${failures} failed${failures ? `: ${firstFailure}` : ''})`,
    );

    const expected = commits.size * 2;
    const deadline = Date.now() + 30_000;
    let notifications: { status_id: string; at: number }[] = [];
    for (;;) {
      const { rows } = await client.query<{ status_id: string; at: string }>(
        `select status_id::text, (extract(epoch from created_at) * 1000)::float8 as at
           from notifications where status_id > $1 and type = 'mention'`,
        [info.maxStatusId],
      );
      notifications = rows.map((r) => ({ status_id: r.status_id, at: Number(r.at) }));
      const emailsDone = sink.arrivals.size >= expected;
      if ((notifications.length >= expected && emailsDone) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const { rows: deliveries } = await client.query<{ message_id: string; status_id: string }>(
      `select ed.message_id, o.payload->'data'->>'statusId' as status_id
         from email_deliveries ed join outbox_events o on o.id = ed.event_id`,
    );
    const emailArrivals: [string, number][] = [];
    for (const delivery of deliveries) {
      const at = sink.arrivals.get(delivery.message_id.replace(/^<|>$/g, ''));
      if (at !== undefined) emailArrivals.push([delivery.status_id, at]);
    }
    const toNotification = summarize(
      latencies(
        commits,
        notifications.map((n) => [n.status_id, n.at]),
      ),
    );
    const toEmail = summarize(latencies(commits, emailArrivals));
    const lastNotification = Math.max(...notifications.map((n) => n.at));
    return {
      size: info.statuses,
      ratePerSecond: options.ratePerSecond,
      statusesCreated: commits.size,
      notificationsExpected: expected,
      notificationsSeen: notifications.length,
      commitToNotification: {
        p50Ms: toNotification.p50,
        p99Ms: toNotification.p99,
        maxMs: toNotification.max,
      },
      emailsSeen: sink.arrivals.size,
      commitToEmail: { p50Ms: toEmail.p50, p99Ms: toEmail.p99, maxMs: toEmail.max },
      eventsPerSecond:
        notifications.length > 0
          ? notifications.length / ((lastNotification - startedAt) / 1000)
          : 0,
      reference: reference && {
        publishPerSecond: reference.publishPerSecond,
        consumeAckPerSecond: reference.consumeAckPerSecond,
      },
      ...(failures > 0
        ? { note: `${failures} createStatus calls failed, first: ${firstFailure}` }
        : {}),
    };
  } finally {
    await client.end();
    await database.close();
    await worker.stop();
    await sink.close();
    await deleteStream(options.natsUrl, streamName).catch(() => {});
  }
}
