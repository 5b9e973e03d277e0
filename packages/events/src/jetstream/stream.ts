/**
 * The one stream that holds every event. Its configuration is written out in full, created or updated
 * at deploy/start time, and verified before a worker consumes (reliability R25).
 */
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { streamSubjects, type EventTopology } from '../topology.js';
import { diffConfig, orEmpty, sortedList, type ConfigMismatch } from './config-diff.js';
import { JetStreamConfigError } from './errors.js';
import { msToNanos } from './time.js';

/**
 * How long the server remembers message ids to drop duplicate publishes. It must cover the outbox
 * relay's whole retry horizon for one event (unknown-outcome retries with the same msgID); the relay
 * must give up, or fall back to consumer-side dedupe, before this runs out.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;
/** Messages are kept a week: long enough to replay after an incident, bounded for disk. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60_000;

/** The fields of the stream configuration this package sets explicitly (and verifies). */
export type EventStreamConfig = Pick<
  StreamConfig,
  | 'name'
  | 'subjects'
  | 'retention'
  | 'storage'
  | 'discard'
  | 'max_age'
  | 'max_msgs'
  | 'max_bytes'
  | 'max_msg_size'
  | 'max_msgs_per_subject'
  | 'max_consumers'
  | 'duplicate_window'
  | 'num_replicas'
  | 'allow_direct'
  | 'allow_rollup_hdrs'
  | 'deny_delete'
  | 'deny_purge'
> & { description?: string };

export interface StreamSettingsOverrides {
  /** Replicas (1 for a single server, 3 in a cluster). Default 1. */
  numReplicas?: number;
  /** Default {@link DEFAULT_DUPLICATE_WINDOW_MS}. Bounded by the server's own cap. */
  duplicateWindowMs?: number;
  /** Default {@link DEFAULT_MAX_AGE_MS}. */
  maxAgeMs?: number;
  /** Byte limit of the whole stream; -1 (default) means only `max_age` bounds it. */
  maxBytes?: number;
  /** Direct get (`allow_direct`, servers ≥ 2.9.0, which every server this client can consume from is). Default true. */
  allowDirect?: boolean;
}

/** The fields `verifyStream` compares (all of {@link EventStreamConfig} except the description). */
const VERIFIED_FIELDS = [
  'subjects',
  'storage',
  'retention',
  'discard',
  'max_age',
  'max_msgs',
  'max_bytes',
  'max_msg_size',
  'max_msgs_per_subject',
  'max_consumers',
  'duplicate_window',
  'num_replicas',
  'allow_direct',
  'allow_rollup_hdrs',
  'deny_delete',
  'deny_purge',
] as const satisfies readonly (keyof EventStreamConfig)[];

/** Fields the server refuses to change on an existing stream. */
const IMMUTABLE_FIELDS: readonly string[] = ['storage', 'retention', 'max_consumers'];

const NORMALIZERS = {
  subjects: sortedList,
  allow_direct: orEmpty(false),
  allow_rollup_hdrs: orEmpty(false),
  deny_delete: orEmpty(false),
  deny_purge: orEmpty(false),
};

export function streamSettings(
  topology: EventTopology,
  overrides: StreamSettingsOverrides = {},
): EventStreamConfig {
  const duplicateWindowMs = overrides.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  const maxAgeMs = overrides.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (duplicateWindowMs <= 0 || maxAgeMs <= 0 || duplicateWindowMs > maxAgeMs) {
    throw new RangeError('duplicateWindowMs must be positive and at most maxAgeMs');
  }
  return {
    name: topology.streamName,
    description: 'Murmur domain events (written by the outbox relay)',
    subjects: streamSubjects(topology),
    // File storage survives restarts; memory storage would lose every unconsumed event.
    storage: StorageType.File,
    // Limits retention: several durable consumers read the same events independently, and messages
    // stay after being acked so a new consumer can replay (and dead letters can be fetched by seq).
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: msToNanos(maxAgeMs),
    max_msgs: -1,
    max_bytes: overrides.maxBytes ?? -1,
    max_msg_size: -1,
    max_msgs_per_subject: -1,
    max_consumers: -1,
    duplicate_window: msToNanos(duplicateWindowMs),
    num_replicas: overrides.numReplicas ?? 1,
    allow_direct: overrides.allowDirect ?? true,
    allow_rollup_hdrs: false,
    // Operators (and the R34 test) may delete or purge messages; the outbox stays the source of truth.
    deny_delete: false,
    deny_purge: false,
  };
}

export interface EnsureResult<Info> {
  info: Info;
  action: 'created' | 'updated' | 'unchanged';
}

/**
 * Creates the stream, or updates it when it exists with different (changeable) settings. Throws
 * {@link JetStreamConfigError} when a setting the server cannot change (e.g. storage) differs: that
 * needs an operator, not an automatic delete.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  topology: EventTopology,
  opts: StreamSettingsOverrides = {},
): Promise<EnsureResult<StreamInfo>> {
  const wanted = streamSettings(topology, opts);
  const existing = await streamInfoOrNull(jsm, topology.streamName);
  if (!existing) {
    try {
      return { info: await jsm.streams.add(wanted), action: 'created' };
    } catch (err) {
      // Another process created it concurrently: fall through to the comparison.
      const raced = await streamInfoOrNull(jsm, topology.streamName);
      if (!raced) throw err;
      return reconcileStream(jsm, wanted, raced);
    }
  }
  return reconcileStream(jsm, wanted, existing);
}

async function reconcileStream(
  jsm: JetStreamManager,
  wanted: EventStreamConfig,
  existing: StreamInfo,
): Promise<EnsureResult<StreamInfo>> {
  const mismatches = compareStream(wanted, existing);
  if (mismatches.length === 0) return { info: existing, action: 'unchanged' };
  const immutable = mismatches.filter((m) => IMMUTABLE_FIELDS.includes(m.field));
  if (immutable.length > 0) {
    throw new JetStreamConfigError(
      `stream ${wanted.name} exists with settings that cannot be changed in place`,
      immutable,
    );
  }
  const info = await jsm.streams.update(wanted.name, wanted);
  const left = compareStream(wanted, info);
  if (left.length > 0) {
    throw new JetStreamConfigError(`stream ${wanted.name} did not take the update`, left);
  }
  return { info, action: 'updated' };
}

/**
 * Reads the stream and lists every difference from `expected` (storage, subjects, duplicate window,
 * retention, limits…). An empty list means the stream is as expected; a worker refuses to start
 * otherwise. A missing stream is reported as a mismatch on `stream`.
 */
export async function verifyStream(
  jsm: JetStreamManager,
  topology: EventTopology,
  expected: EventStreamConfig = streamSettings(topology),
): Promise<ConfigMismatch[]> {
  if (expected.name !== topology.streamName) {
    return [{ field: 'name', expected: topology.streamName, actual: expected.name }];
  }
  const info = await streamInfoOrNull(jsm, topology.streamName);
  if (!info) return [{ field: 'stream', expected: topology.streamName, actual: null }];
  return compareStream(expected, info);
}

function compareStream(expected: EventStreamConfig, info: StreamInfo): ConfigMismatch[] {
  return diffConfig(
    expected as unknown as Record<string, unknown>,
    info.config as unknown as Record<string, unknown>,
    VERIFIED_FIELDS,
    NORMALIZERS,
  );
}

async function streamInfoOrNull(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  }
}

export function isNotFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
