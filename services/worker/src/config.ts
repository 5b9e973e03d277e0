/**
 * The worker's configuration: every variable, validated at start-up. This is the only module that
 * reads `process.env`. Timings that are not variables (poll intervals, ack wait…) have production
 * defaults here; tests pass shorter ones to `buildWorker`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { natsSettingsProblems, type NatsAuthFiles } from '@murmur/events/jetstream';
import { mediaStorageSettings, type MediaStorageSettings } from '@murmur/media';
import { parseAllowedPrivateAddresses } from '@murmur/outbound';
import {
  ConfigurationError,
  DEV_UNSUBSCRIBE_SECRET,
  type Environment,
  MEDIA_VARIABLES,
  NATS_VARIABLES,
  readEnvironment,
  SHARED_VARIABLES,
  WEB_PUSH_VARIABLES,
  webPushSettings,
  type WebPushSettings,
} from '@murmur/service-kit';

/** Development-only secret (the website's default is the same): refused when NODE_ENV=production. */

export const WORKER_VARIABLES = {
  DATABASE_URL: SHARED_VARIABLES.DATABASE_URL,
  ...NATS_VARIABLES,
  PUBLIC_URL: SHARED_VARIABLES.PUBLIC_URL,
  MAX_STATUS_CHARACTERS: SHARED_VARIABLES.MAX_STATUS_CHARACTERS,
  SMTP_URL: {
    kind: 'url',
    description:
      'SMTP server, `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://` (implicit TLS). Unset: e-mails are written as .eml files to MAIL_DIR',
    optional: true,
    protocols: ['smtp:', 'smtps:'],
  },
  MAIL_FROM: {
    kind: 'string',
    description: 'From: of every e-mail',
    default: 'Murmur <no-reply@localhost>',
  },
  MAIL_DIR: {
    kind: 'string',
    description: 'Where e-mails are written when SMTP_URL is unset (default `<cwd>/.data/mail`)',
    optional: true,
  },
  WORKER_CONCURRENCY: {
    kind: 'integer',
    description:
      'Events handled at once per consumer (also the pull batch size and the largest database batch)',
    default: '512',
    min: 1,
    max: 1024,
  },
  ...MEDIA_VARIABLES,
  MEDIA_CONCURRENCY: {
    kind: 'integer',
    description:
      'Images one worker decodes at once (each can take a few hundred MB while it is processed)',
    default: '2',
    min: 1,
    max: 64,
  },
  WORKER_MAX_ACK_PENDING: {
    kind: 'integer',
    description:
      'Unacknowledged messages per consumer across all worker replicas (≥ concurrency × replicas)',
    default: '2048',
    min: 1,
    max: 10_000,
  },
  WORKER_PORT: {
    kind: 'integer',
    description: 'Port of /healthz, /readyz and /status',
    default: '3003',
    min: 0,
    max: 65535,
  },
  HOST: SHARED_VARIABLES.HOST,
  LOG_LEVEL: SHARED_VARIABLES.LOG_LEVEL,
  NODE_ENV: SHARED_VARIABLES.NODE_ENV,
  NATS_STREAM: {
    kind: 'string',
    description: 'JetStream stream holding the events',
    default: 'MURMUR_EVENTS',
  },
  NATS_STREAM_REPLICAS: {
    kind: 'integer',
    description:
      'Replicas of the stream: 1 on a single NATS server, 3 (or 5) in a cluster; the stream is created or updated to it',
    default: '1',
    min: 1,
    max: 5,
  },
  NATS_DUPLICATE_WINDOW_SECONDS: {
    kind: 'integer',
    description: "The stream's duplicate window (must cover the relay's retry horizon)",
    default: '600',
    min: 1,
    max: 86_400,
  },
  RECONCILE_AFTER_SECONDS: {
    kind: 'integer',
    description:
      'An event published this long ago that a consumer has not processed is republished',
    default: '300',
    min: 1,
  },
  SMTP_TIMEOUT_MS: {
    kind: 'integer',
    description: 'Connection, greeting and inactivity timeout of the SMTP conversation',
    default: '10000',
    min: 100,
    max: 600_000,
  },
  SMTP_MAX_CONNECTIONS: {
    kind: 'integer',
    description:
      'SMTP connections open at once (the sends of the events in flight share them; idle ones are kept)',
    default: '32',
    min: 1,
    max: 1024,
  },
  EMAIL_MAX_ATTEMPTS: {
    kind: 'integer',
    description:
      'Attempts of an e-mail that clearly failed (refused connection, 4xx) before it is marked failed',
    default: '5',
    min: 1,
    max: 50,
  },
  WORKER_ACK_WAIT_MS: {
    kind: 'integer',
    description:
      'Ack wait of the consumers: how soon a message held by a crashed worker is redelivered',
    default: '30000',
    min: 1000,
    max: 600_000,
  },
  RELAY_POLL_MS: {
    kind: 'integer',
    description:
      'Fallback poll of the outbox (new events normally wake the relay through LISTEN/NOTIFY)',
    default: '1000',
    min: 10,
    max: 60_000,
  },
  UNSUBSCRIBE_SECRET: SHARED_VARIABLES.UNSUBSCRIBE_SECRET,
  ...WEB_PUSH_VARIABLES,
  ALLOWED_PRIVATE_ADDRESSES: SHARED_VARIABLES.ALLOWED_PRIVATE_ADDRESSES,
  PUSH_CONCURRENCY: {
    kind: 'integer',
    description:
      'Web Push requests in flight at once (a quarter of them at most to any one push service)',
    default: '64',
    min: 1,
    max: 1024,
  },
  PUSH_TIMEOUT_MS: {
    kind: 'integer',
    description: 'Longest a push service may take to answer one request',
    default: '10000',
    min: 100,
    max: 120_000,
  },
  FEDERATION_RETRY_BASE_MS: {
    kind: 'integer',
    description:
      'First wait before a failed federation delivery is tried again (doubled each time, capped at 12 hours, 16 attempts)',
    default: '60000',
    min: 100,
    max: 3_600_000,
  },
  PUSH_MAX_ATTEMPTS: {
    kind: 'integer',
    description: 'Attempts of a push the service answers 429/5xx (or not at all) before giving up',
    default: '5',
    min: 1,
    max: 20,
  },
} as const;

export type WorkerEnvironment = Environment<typeof WORKER_VARIABLES>;

/** Knobs that are not environment variables: production defaults, shortened in tests. */
export interface WorkerTimings {
  /** Fallback poll of the outbox when no NOTIFY arrives. */
  relayPollMs: number;
  relayBatchSize: number;
  /** How long to wait for a PubAck. */
  publishTimeoutMs: number;
  /**
   * How long claimed outbox rows are hidden from other relays: more than a batch's publish can take.
   * Rows of a relay that died mid-batch are published again after it.
   */
  relayLeaseMs: number;
  /** Retry delay of an outbox row after n failed publishes: base × 2^(n-1), capped, with jitter. */
  relayRetryBaseMs: number;
  relayRetryMaxMs: number;
  /** How often the reconciler looks for unprocessed events. */
  reconcileIntervalMs: number;
  /** Outbox retention (rows fully processed and published longer ago than this are deleted). */
  outboxRetentionMs: number;
  /** Consumer ack wait (redelivery delay after a crash); handlers call working() meanwhile. */
  ackWaitMs: number;
  maxDeliver: number;
  /** Delay before the redelivery of an event whose handler failed (by delivery count). */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Pull request expiry (heartbeats at half of it). */
  pullExpiresMs?: number;
  /** Today's follows/favourites/new accounts refresh. */
  statsRefreshMs: number;
  /** Finalization of finished days. */
  statsFinalizeMs: number;
  /** The first finalization after start-up waits this long (the pipeline catches up first). */
  statsFinalizeFirstRunAfterMs: number;
  /** How long start() waits for JetStream to accept the topology (a cluster still forming). */
  topologyStartTimeoutMs: number;
  /** How often expired rate-limit counters, web sessions and old processed markers are deleted. */
  retentionIntervalMs: number;
  /** How long stop() waits for running handlers. */
  shutdownDeadlineMs: number;
  /** How long a statistics batch waits for more events (nobody waits for a count). */
  statisticsLingerMs: number;
  /** How long the last step of a mention (marker, e-mail outcome) waits for more events. */
  mentionFinishLingerMs: number;
  /** How often unused media (old unattached uploads, attachments of deleted posts) are removed. */
  mediaCleanupMs: number;
  /** Uploads never attached are removed after this long. */
  unattachedMediaTtlMs: number;
  /** How often every home feed is trimmed to its bounded length (HOME_FEED_LENGTH). */
  homeFeedsTrimMs: number;
  /** How often work due at a time is looked for (polls that ended, scheduled statuses). */
  dueWorkMs: number;
  /** First retry delay of a push (doubled each time, capped by pushRetryMaxMs). */
  pushRetryBaseMs: number;
  pushRetryMaxMs: number;
  /** How often federation deliveries due again (back-off over, lease run out) are looked for. */
  federationRetryMs: number;
  /** The first back-off of a failed federation delivery (doubled each time). */
  federationRetryBaseMs: number;
}

export interface WorkerConfig {
  databaseUrl: string;
  natsUrl: string;
  /** NATS_CREDS_FILE and NATS_TLS_* (paths). */
  natsAuth: NatsAuthFiles;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  /** Host of PUBLIC_URL: the domain of Message-IDs. */
  publicHost: string;
  /** CIDRs federation requests may reach although private (ALLOWED_PRIVATE_ADDRESSES). */
  allowedPrivateAddresses: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  mailDir: string;
  concurrency: number;
  maxAckPending: number;
  port: number;
  host: string;
  logLevel: string;
  nodeEnv: string;
  streamName: string;
  subjectPrefix: string;
  streamReplicas: number;
  duplicateWindowMs: number;
  reconcileAfterMs: number;
  smtpTimeoutMs: number;
  smtpMaxConnections: number;
  emailMaxAttempts: number;
  unsubscribeSecret: string;
  mediaStorage: MediaStorageSettings;
  /** Images decoded at once by this process. */
  mediaConcurrency: number;
  /** The longest post: a scheduled status is posted with the limit in force at its time. */
  maxStatusCharacters: number;
  /** Web Push: on with the VAPID pair, or off and why. */
  webPush: WebPushSettings;
  push: {
    /** ALLOWED_PRIVATE_ADDRESSES: the only non-public addresses a push may go to. */
    allowedPrivateAddresses: string[];
    concurrency: number;
    timeoutMs: number;
    maxAttempts: number;
    /** The VAPID `sub` claim: PUBLIC_URL when https, else the address of MAIL_FROM. */
    subject: string;
  };
  timings: WorkerTimings;
}

export const DEFAULT_TIMINGS: WorkerTimings = Object.freeze({
  relayPollMs: 1000,
  relayBatchSize: 100,
  publishTimeoutMs: 5000,
  relayLeaseMs: 10_000,
  relayRetryBaseMs: 500,
  relayRetryMaxMs: 30_000,
  reconcileIntervalMs: 30_000,
  outboxRetentionMs: 7 * 24 * 60 * 60 * 1000,
  ackWaitMs: 30_000,
  maxDeliver: 8,
  // A pull request waits on the consumer's leader; when that NATS node dies, the client learns it
  // only from missed idle heartbeats (half the expiry, two missed). nats.js's 30 s default made the
  // chaos soak's stream-leader kill heal in ~40 s; 5 s detects it in ~5 s, for one idle pull per
  // consumer every 5 s.
  pullExpiresMs: 5_000,
  statsRefreshMs: 60_000,
  statsFinalizeMs: 60 * 60 * 1000,
  statsFinalizeFirstRunAfterMs: 60_000,
  retentionIntervalMs: 10 * 60 * 1000,
  shutdownDeadlineMs: 10_000,
  topologyStartTimeoutMs: 60_000,
  statisticsLingerMs: 50,
  mentionFinishLingerMs: 20,
  mediaCleanupMs: 60 * 60 * 1000,
  unattachedMediaTtlMs: 24 * 60 * 60 * 1000,
  homeFeedsTrimMs: 10 * 60 * 1000,
  dueWorkMs: 10_000,
  pushRetryBaseMs: 1000,
  federationRetryMs: 5000,
  federationRetryBaseMs: 60_000,
  pushRetryMaxMs: 60_000,
});

/** Reads and validates the environment; throws ConfigurationError naming every bad variable. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): WorkerConfig {
  const values = readEnvironment(WORKER_VARIABLES, env);
  const problems: string[] = [];
  if (values.NODE_ENV === 'production' && values.UNSUBSCRIBE_SECRET === DEV_UNSUBSCRIBE_SECRET) {
    problems.push(
      'UNSUBSCRIBE_SECRET must be set in production (the development default is public)',
    );
  }
  const natsAuth = natsAuthFiles(values);
  problems.push(...natsSettingsProblems(values.NATS_URL, natsAuth));
  for (const name of NATS_FILE_VARIABLES) {
    const path = values[name];
    if (path !== undefined && !existsSync(path)) problems.push(`${name} names no file: ${path}`);
  }
  if (values.WORKER_MAX_ACK_PENDING < values.WORKER_CONCURRENCY) {
    problems.push('WORKER_MAX_ACK_PENDING must be at least WORKER_CONCURRENCY');
  }
  const media = mediaStorageSettings(values, cwd);
  problems.push(...media.problems);
  const webPush = webPushSettings(values);
  problems.push(...webPush.problems);
  let allowedPrivateAddresses: string[] = [];
  try {
    allowedPrivateAddresses = parseAllowedPrivateAddresses(values.ALLOWED_PRIVATE_ADDRESSES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return {
    ...configFromEnvironment(
      values,
      cwd,
      media.settings,
      webPush.settings,
      allowedPrivateAddresses,
    ),
    allowedPrivateAddresses,
  };
}

const NATS_FILE_VARIABLES = [
  'NATS_CREDS_FILE',
  'NATS_TLS_CA_FILE',
  'NATS_TLS_CERT_FILE',
  'NATS_TLS_KEY_FILE',
] as const;

function natsAuthFiles(values: WorkerEnvironment): NatsAuthFiles {
  return {
    credsFile: values.NATS_CREDS_FILE,
    tlsCaFile: values.NATS_TLS_CA_FILE,
    tlsCertFile: values.NATS_TLS_CERT_FILE,
    tlsKeyFile: values.NATS_TLS_KEY_FILE,
  };
}

function configFromEnvironment(
  values: WorkerEnvironment,
  cwd: string,
  mediaStorage: MediaStorageSettings,
  webPush: WebPushSettings,
  allowedPrivateAddresses: string[],
): Omit<WorkerConfig, 'allowedPrivateAddresses'> {
  const publicUrl = values.PUBLIC_URL.replace(/\/+$/, '');
  const mailAddress = /<([^>]+)>/.exec(values.MAIL_FROM)?.[1] ?? values.MAIL_FROM;
  return {
    databaseUrl: values.DATABASE_URL,
    natsUrl: values.NATS_URL,
    natsAuth: natsAuthFiles(values),
    publicUrl,
    publicHost: new URL(publicUrl).hostname,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    mailDir: resolve(cwd, values.MAIL_DIR ?? '.data/mail'),
    concurrency: values.WORKER_CONCURRENCY,
    maxAckPending: values.WORKER_MAX_ACK_PENDING,
    port: values.WORKER_PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    nodeEnv: values.NODE_ENV,
    streamName: values.NATS_STREAM,
    subjectPrefix: values.NATS_SUBJECT_PREFIX,
    streamReplicas: values.NATS_STREAM_REPLICAS,
    duplicateWindowMs: values.NATS_DUPLICATE_WINDOW_SECONDS * 1000,
    reconcileAfterMs: values.RECONCILE_AFTER_SECONDS * 1000,
    smtpTimeoutMs: values.SMTP_TIMEOUT_MS,
    smtpMaxConnections: values.SMTP_MAX_CONNECTIONS,
    emailMaxAttempts: values.EMAIL_MAX_ATTEMPTS,
    unsubscribeSecret: values.UNSUBSCRIBE_SECRET,
    mediaStorage,
    mediaConcurrency: values.MEDIA_CONCURRENCY,
    maxStatusCharacters: values.MAX_STATUS_CHARACTERS,
    webPush,
    push: {
      allowedPrivateAddresses,
      concurrency: values.PUSH_CONCURRENCY,
      timeoutMs: values.PUSH_TIMEOUT_MS,
      maxAttempts: values.PUSH_MAX_ATTEMPTS,
      subject: publicUrl.startsWith('https:') ? publicUrl : `mailto:${mailAddress.trim()}`,
    },
    timings: {
      ...DEFAULT_TIMINGS,
      ackWaitMs: values.WORKER_ACK_WAIT_MS,
      relayPollMs: values.RELAY_POLL_MS,
      federationRetryBaseMs: values.FEDERATION_RETRY_BASE_MS,
    },
  };
}
