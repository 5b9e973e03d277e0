/**
 * The worker's consumers, declared once. Each line names a durable JetStream consumer, the event
 * types it processes and how its handler is built; the JetStream topology (`topology.ts`), the
 * reconciler's and the retention sweep's "who owes which event" rule, the handlers started by
 * `app.ts` and the metrics' consumer list all follow from this table.
 *
 * A consumer processes (and marks in `processed_events`) only the types it lists. nats-server 2.9
 * allows one filter subject per consumer, so a consumer of one type filters on its subject and a
 * consumer of several reads the whole stream and acknowledges the other events unread (no marker:
 * it owes them nothing). Names are durable state on the server: renaming one would start a new
 * consumer at the beginning of the stream, so the names stay.
 */
import { type Database } from '@murmur/db';
import { HOME_FEED_EVENT_TYPES } from '@murmur/db/feeds';
import { NOTIFYING_EVENT_TYPES } from '@murmur/db/notifications';
import { type ConsumersByEventType } from '@murmur/db/events';
import { subjectFor, type EventTopology, type EventType } from '@murmur/events';
import type { MediaStorage } from '@murmur/media';
import type { WorkerConfig } from './config.js';
import { notificationsHandler, statisticsHandler, type EventHandler } from './handlers.js';
import { Limiter } from '@murmur/service-kit';
import type { Mailer } from './mail/mailer.js';
import { mediaHandler, remoteMediaFetch } from './media/process-upload.js';
import { HOME_FEED_BATCH_POSTS, HOME_FEEDS_CONSUMER, homeFeedsHandler } from './home-feeds.js';
import { accountEmailsHandler } from './mail/account-emails.js';
import { CONVERSATIONS_CONSUMER, conversationsHandler } from './conversations.js';
import { FEDERATION_INBOX_CONSUMER, federationInboxHandler } from './federation-inbox.js';
import type { WorkerMetrics } from './metrics.js';
import { FEDERATION_DELIVERY_CONSUMER, type FederationSending } from './federation-delivery.js';
import { FEDERATED_EVENT_TYPES } from '@murmur/federation';
import { PUSH_CONSUMER, pushHandler } from './push/handler.js';
import { createPushSender } from './push/create-sender.js';

/** What a handler may be built from. */
export interface HandlerContext {
  consumer: string;
  config: WorkerConfig;
  database: Database;
  mailer: Mailer;
  metrics: WorkerMetrics;
  mediaStorage: MediaStorage;
  /** The process's one sender of activities (its limits and circuit breakers are shared). */
  federationSending: FederationSending;
}

export interface ConsumerDeclaration {
  /** The durable consumer's name, also the `processed_events.consumer` of its markers. */
  readonly name: string;
  readonly description: string;
  /** The event types it processes; the reconciler republishes those it has not processed. */
  readonly handles: readonly EventType[];
  readonly handler: (context: HandlerContext) => EventHandler;
}

/** What every consumer that sends e-mail needs to know. */
function emailSettings(config: WorkerConfig) {
  return {
    publicUrl: config.publicUrl,
    publicHost: config.publicHost,
    mailFrom: config.mailFrom,
    maxAttempts: config.emailMaxAttempts,
    smtpTimeoutMs: config.smtpTimeoutMs,
  };
}

export const NOTIFICATIONS_CONSUMER = 'notifications';
export const STATISTICS_CONSUMER = 'statistics';
export const MEDIA_CONSUMER = 'media';
export const PASSWORD_RESET_EMAILS_CONSUMER = 'password-reset-emails';
export const CONFIRMATION_EMAILS_CONSUMER = 'confirmation-emails';
export {
  CONVERSATIONS_CONSUMER,
  FEDERATION_DELIVERY_CONSUMER,
  FEDERATION_INBOX_CONSUMER,
  HOME_FEEDS_CONSUMER,
  PUSH_CONSUMER,
};

export const CONSUMERS: readonly ConsumerDeclaration[] = Object.freeze([
  {
    name: NOTIFICATIONS_CONSUMER,
    description: 'Notifications (the notify step) and mention e-mails',
    handles: NOTIFYING_EVENT_TYPES,
    handler: ({ consumer, config, database, mailer, metrics }) =>
      notificationsHandler({
        consumer,
        database,
        mailer,
        email: { ...emailSettings(config), unsubscribeSecret: config.unsubscribeSecret },
        onEmailOutcome: (outcome) => metrics.emailOutcome(outcome),
        maxBatch: config.concurrency,
        emailsAtOnce: config.smtpMaxConnections,
        finishLingerMs: config.timings.mentionFinishLingerMs,
      }),
  },
  {
    name: STATISTICS_CONSUMER,
    description: 'Daily statistics (posts, mentions, logins)',
    handles: ['PostCreated', 'UserMentioned', 'SignedIn'],
    handler: ({ consumer, config, database }) =>
      statisticsHandler(database, {
        consumer,
        maxBatch: config.concurrency,
        lingerMs: config.timings.statisticsLingerMs,
      }),
  },
  {
    name: MEDIA_CONSUMER,
    description: "Processing of uploaded media, of remote statuses' images and remote avatars",
    handles: ['MediaUploaded', 'RemoteAccountImagesChanged'],
    handler: ({ consumer, config, database, mediaStorage }) =>
      mediaHandler({
        consumer,
        database,
        storage: mediaStorage,
        images: new Limiter(config.mediaConcurrency),
        fetchRemote: remoteMediaFetch(config),
      }),
  },
  {
    name: HOME_FEEDS_CONSUMER,
    description: 'Home feeds: fan-out of posts and boosts, deletions, follows and unfollows',
    handles: HOME_FEED_EVENT_TYPES,
    // Readers wait for their feed: no linger, a batch is whatever arrived during the last flush,
    // up to HOME_FEED_BATCH_POSTS. Two flushes at once: the fan-out is CPU-bound in PostgreSQL,
    // and with one the database sat idle while a batch committed and was acknowledged
    // (ARCHITECTURE.md, "Home feeds").
    handler: ({ config, database }) =>
      homeFeedsHandler(database, {
        maxBatch: Math.min(config.concurrency, HOME_FEED_BATCH_POSTS),
        flushesAtOnce: 2,
      }),
  },
  // One consumer per e-mail kind: each filters on its one subject instead of reading the stream.
  ...(
    [
      [PASSWORD_RESET_EMAILS_CONSUMER, 'PasswordResetRequested', 'Password reset e-mails'],
      [CONFIRMATION_EMAILS_CONSUMER, 'EmailConfirmationRequested', 'E-mail confirmation e-mails'],
    ] as const
  ).map(([name, type, description]): ConsumerDeclaration => ({
    name,
    description,
    handles: [type],
    handler: ({ consumer, config, database, mailer, metrics }) =>
      accountEmailsHandler({
        consumer,
        database,
        mailer,
        email: emailSettings(config),
        onEmailOutcome: (outcome) => metrics.emailOutcome(outcome),
      }),
  })),
  {
    name: CONVERSATIONS_CONSUMER,
    description: 'Direct conversations (PostCreated of direct messages)',
    handles: ['PostCreated'],
    handler: ({ config, database }) =>
      conversationsHandler(database, { maxBatch: config.concurrency }),
  },
  {
    name: PUSH_CONSUMER,
    description: 'Web Push to closed apps (NotificationCreated)',
    handles: ['NotificationCreated'],
    handler: ({ config, database, metrics }) =>
      pushHandler({
        database,
        sender: createPushSender(config),
        vapidPrivateKey: config.webPush.enabled ? config.webPush.privateKey : '',
        publicUrl: config.publicUrl,
        maxBatch: config.concurrency,
        onOutcome: (outcome) => metrics.pushOutcome(outcome),
      }),
  },
  {
    name: FEDERATION_INBOX_CONSUMER,
    description: 'Activities other servers delivered (notes, likes, boosts, follows, deletions)',
    handles: ['RemoteActivityReceived'],
    handler: ({ consumer, config, database }) =>
      federationInboxHandler({ consumer, config, database }),
  },
  {
    name: FEDERATION_DELIVERY_CONSUMER,
    description:
      'Activities sent to other servers: local posts and polls, votes, boosts, favourites, profiles, follows and blocks',
    handles: FEDERATED_EVENT_TYPES,
    handler: ({ consumer, federationSending }) => federationSending.handler(consumer),
  },
]);

/** The one subject a consumer filters on, or undefined (the whole stream) for several types. */
export function filterSubjectOf(
  consumer: ConsumerDeclaration,
  topology: EventTopology,
): string | undefined {
  return consumer.handles.length === 1 ? subjectFor(topology, consumer.handles[0]!) : undefined;
}

/** Which consumers must process each event type (the reconciler's and the retention's rule). */
export function consumersByEventType(
  consumers: readonly ConsumerDeclaration[] = CONSUMERS,
): ConsumersByEventType {
  const byType: Record<string, string[]> = {};
  for (const consumer of consumers) {
    for (const type of consumer.handles) (byType[type] ??= []).push(consumer.name);
  }
  return Object.freeze(byType);
}

export const CONSUMERS_BY_EVENT_TYPE: ConsumersByEventType = consumersByEventType();
