/**
 * Durable pull consumers, one per concern (email, stats…), configured explicitly (reliability R25).
 *
 * Ack timing — the choice made here:
 * - `ack_wait` (default 30 s) is the only ack deadline. It bounds how long a message held by a crashed
 *   worker waits before redelivery; handlers that may run longer call `working()` (the consume helper
 *   does it automatically every ack_wait/3).
 * - Retries after a handler error are scheduled by the consume helper with `nak(delay)`, using
 *   {@link DEFAULT_RETRY_DELAYS_MS} (1 s, 5 s, 30 s, 2 min, 10 min).
 * - The server-side `backoff` list is therefore empty by default. When `backoff` is set the server
 *   *replaces* `ack_wait` with `backoff[0]` (checked on nats-server 2.9.10: ack_wait 30 s + backoff
 *   [1 s, …] is stored as ack_wait 1 s), so "ack_wait 30 s with backoff 1 s, 5 s, …" cannot exist: the
 *   first delivery would get a 1 s deadline. Callers may still pass `backoffMs`; `ackWaitMs` must then
 *   be omitted or equal `backoffMs[0]`, and `backoffMs.length` must be < `maxDeliver` (server rule).
 * - `max_deliver` is finite (default 8): after the last failed delivery the server stops and publishes
 *   a MAX_DELIVERIES advisory, which the dead-letter recorder turns into a `dead_letters` row.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  ReplayPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { EventTopology } from '../topology.js';
import { diffConfig, orEmpty, type ConfigMismatch } from './config-diff.js';
import { JetStreamConfigError } from './errors.js';
import { isNotFound, type EnsureResult } from './stream.js';
import { msToNanos, nanosToMs } from './time.js';

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVER = 8;
/** Delay before retry n (n = the delivery count that failed, 1-based); the last one repeats. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  1_000, 5_000, 30_000, 120_000, 600_000,
]);

/** The default retry schedule: 1 s after the first failure, then 5 s, 30 s, 2 min, 10 min, 10 min… */
export function defaultRetryDelayMs(deliveryCount: number): number {
  const i = Math.max(0, Math.min(DEFAULT_RETRY_DELAYS_MS.length - 1, deliveryCount - 1));
  return DEFAULT_RETRY_DELAYS_MS[i]!;
}

export interface ConsumerSettingsInput {
  /** Durable name, e.g. `email` or `stats`. Only this makes a consumer durable. */
  durableName: string;
  /** One subject (e.g. `subjectFor(topology, 'UserMentioned')`); all events when omitted. */
  filterSubject?: string;
  /** Default {@link DEFAULT_ACK_WAIT_MS}. With `backoffMs`, omit it or pass `backoffMs[0]`. */
  ackWaitMs?: number;
  /** Finite; default {@link DEFAULT_MAX_DELIVER}. */
  maxDeliver?: number;
  /** Server-side redelivery schedule; empty by default (see the module comment). */
  backoffMs?: readonly number[];
  /**
   * Unacknowledged messages the server lets out at once, across all worker replicas:
   * concurrency × replicas. Deliveries stop silently when it is reached (server default 1000).
   */
  maxAckPending: number;
  description?: string;
}

/** The consumer fields this package sets explicitly (and verifies). */
export type EventConsumerConfig = Pick<
  ConsumerConfig,
  'ack_policy' | 'deliver_policy' | 'replay_policy'
> &
  Required<
    Pick<
      ConsumerConfig,
      'durable_name' | 'ack_wait' | 'max_deliver' | 'max_ack_pending' | 'backoff'
    >
  > &
  Pick<ConsumerConfig, 'filter_subject' | 'description'>;

const DURABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function consumerSettings(input: ConsumerSettingsInput): EventConsumerConfig {
  const { durableName, filterSubject, maxAckPending } = input;
  const maxDeliver = input.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const backoffMs = [...(input.backoffMs ?? [])];
  if (!DURABLE_NAME.test(durableName)) {
    throw new RangeError(`invalid durable name ${JSON.stringify(durableName)}`);
  }
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new RangeError('maxDeliver must be a positive integer (never -1: retries must end)');
  }
  if (!Number.isInteger(maxAckPending) || maxAckPending < 1) {
    throw new RangeError('maxAckPending must be a positive integer');
  }
  if (backoffMs.some((ms) => !(ms > 0))) {
    throw new RangeError('backoffMs entries must be positive');
  }
  if (backoffMs.length >= maxDeliver) {
    throw new RangeError('backoffMs must have fewer entries than maxDeliver (nats-server rule)');
  }
  let ackWaitMs = input.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  if (backoffMs.length > 0) {
    if (input.ackWaitMs !== undefined && input.ackWaitMs !== backoffMs[0]) {
      throw new RangeError(
        'with backoffMs the server uses backoffMs[0] as the ack wait; omit ackWaitMs or make them equal',
      );
    }
    ackWaitMs = backoffMs[0]!;
  }
  if (!(ackWaitMs >= 1000)) throw new RangeError('ackWaitMs must be at least 1000');
  if (filterSubject !== undefined && !/^[^\s]+$/.test(filterSubject)) {
    throw new RangeError(`invalid filter subject ${JSON.stringify(filterSubject)}`);
  }
  return {
    durable_name: durableName,
    ...(input.description ? { description: input.description } : {}),
    // Pull consumers need explicit acks; we ack each message after its side effects committed.
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: msToNanos(ackWaitMs),
    max_deliver: maxDeliver,
    max_ack_pending: maxAckPending,
    backoff: backoffMs.map(msToNanos),
    ...(filterSubject ? { filter_subject: filterSubject } : {}),
    // No inactive_threshold: a durable must never be cleaned up behind our back.
  };
}

/** The ack deadline the server applies to a first delivery of this consumer, in ms. */
export function effectiveAckWaitMs(config: Pick<ConsumerConfig, 'ack_wait' | 'backoff'>): number {
  const candidates = [config.ack_wait ?? msToNanos(DEFAULT_ACK_WAIT_MS), ...(config.backoff ?? [])];
  return nanosToMs(Math.min(...candidates));
}

const VERIFIED_FIELDS = [
  'durable_name',
  'ack_policy',
  'deliver_policy',
  'replay_policy',
  'ack_wait',
  'max_deliver',
  'max_ack_pending',
  'backoff',
  'filter_subject',
  'inactive_threshold',
  'deliver_subject',
] as const;

/** Fields the server cannot change on an existing consumer. */
const IMMUTABLE_FIELDS: readonly string[] = [
  'durable_name',
  'ack_policy',
  'deliver_policy',
  'replay_policy',
  'deliver_subject',
];

const NORMALIZERS = {
  backoff: orEmpty([]),
  filter_subject: orEmpty(''),
  inactive_threshold: orEmpty(0),
  deliver_subject: orEmpty(''),
};

/**
 * Creates the durable consumer, or updates the changeable settings (ack wait, max deliver, max ack
 * pending, backoff, filter) of an existing one. Throws {@link JetStreamConfigError} when an
 * unchangeable setting differs (it would have to be deleted, losing its position).
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  topology: EventTopology,
  settings: EventConsumerConfig,
): Promise<EnsureResult<ConsumerInfo>> {
  assertFilterInTopology(topology, settings);
  const stream = topology.streamName;
  const existing = await consumerInfoOrNull(jsm, stream, settings.durable_name);
  if (!existing) {
    const info = await jsm.consumers.add(stream, settings);
    const left = compareConsumer(settings, info);
    if (left.length > 0) {
      throw new JetStreamConfigError(
        `consumer ${settings.durable_name} was created differently`,
        left,
      );
    }
    return { info, action: 'created' };
  }
  const mismatches = compareConsumer(settings, existing);
  if (mismatches.length === 0) return { info: existing, action: 'unchanged' };
  const immutable = mismatches.filter((m) => IMMUTABLE_FIELDS.includes(m.field));
  if (immutable.length > 0) {
    throw new JetStreamConfigError(
      `consumer ${settings.durable_name} exists with settings that cannot be changed in place`,
      immutable,
    );
  }
  const info = await jsm.consumers.update(stream, settings.durable_name, {
    ack_wait: settings.ack_wait,
    max_deliver: settings.max_deliver,
    max_ack_pending: settings.max_ack_pending,
    backoff: settings.backoff,
    // undefined removes a filter: the client merges this into the current config before sending.
    filter_subject: settings.filter_subject,
    ...(settings.description !== undefined ? { description: settings.description } : {}),
  });
  const left = compareConsumer(settings, info);
  if (left.length > 0) {
    throw new JetStreamConfigError(
      `consumer ${settings.durable_name} did not take the update`,
      left,
    );
  }
  return { info, action: 'updated' };
}

/** Lists every difference between the consumer on the server and `expected`; empty means as expected. */
export async function verifyConsumer(
  jsm: JetStreamManager,
  topology: EventTopology,
  expected: EventConsumerConfig,
): Promise<ConfigMismatch[]> {
  const info = await consumerInfoOrNull(jsm, topology.streamName, expected.durable_name);
  if (!info) return [{ field: 'consumer', expected: expected.durable_name, actual: null }];
  return compareConsumer(expected, info);
}

function compareConsumer(expected: EventConsumerConfig, info: ConsumerInfo): ConfigMismatch[] {
  return diffConfig(
    expected as unknown as Record<string, unknown>,
    info.config as unknown as Record<string, unknown>,
    VERIFIED_FIELDS,
    NORMALIZERS,
  );
}

function assertFilterInTopology(topology: EventTopology, settings: EventConsumerConfig): void {
  const filter = settings.filter_subject;
  if (filter && !filter.startsWith(`${topology.subjectPrefix}.`)) {
    throw new JetStreamConfigError(
      `filter subject ${filter} is outside the stream's subjects (${topology.subjectPrefix}.>)`,
    );
  }
}

async function consumerInfoOrNull(
  jsm: JetStreamManager,
  stream: string,
  name: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, name);
  } catch (err) {
    if (isNotFound(err, JetStreamApiCodes.ConsumerNotFound)) return null;
    throw err;
  }
}
