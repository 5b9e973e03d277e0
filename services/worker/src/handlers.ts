/**
 * What each consumer does with an event. Every handler is idempotent (reliability R26): its effect
 * commits together with the `processed_events` marker, a repeated delivery finds the marker and does
 * nothing, and the message is acked only after the commit (the consume helper acks when the handler
 * returns). Handlers read the current state (R32): a mention of a deleted post, or of an account that
 * is gone, is marked processed without notification or e-mail. Throwing means "retry later" (nak).
 */
import { isTransientDatabaseError, type Database } from '@murmur/db';
import {
  applyNotificationChanges,
  recordMentionsProcessed,
  type MentionContext,
  type MentionEmailOutcome,
  type NotifyOutcome,
  type NotifyRequest,
  type ProcessedMention,
} from '@murmur/db/notifications';
import {
  claimEmailDeliveries,
  recordEmailOutcome,
  type EmailClaim,
  type EmailDeliveryRequest,
} from '@murmur/db/events';
import { countEventsInDailyStats, type StatisticsEvent } from '@murmur/db/statistics';
import type { DomainEvent, UserMentioned } from '@murmur/events';
import type { Logger } from '@murmur/service-kit';
import type { Mailer, SendResult } from './mail/mailer.js';
import { Batcher } from './batcher.js';
import { Limiter } from '@murmur/service-kit';
import { composeMentionEmail, type MentionEmailSettings } from './mail/mention-email.js';

/** A failure worth retrying later (nak with backoff), logged without a stack. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/**
 * Whether a handler's failure only says the database is unreachable right now, so the event waits
 * in place and spends no delivery (`isTransient` of the consume helper). A RetryLater is the
 * handler's own decision (an e-mail that failed, counted in its ledger, whose message may name
 * ECONNREFUSED as well): it takes the redelivery schedule.
 */
export function waitsForDatabase(err: unknown): boolean {
  return !(err instanceof RetryLater) && isTransientDatabaseError(err);
}

export interface HandlerDependencies {
  /** The durable consumer's name, under which events are marked processed. */
  consumer: string;
  database: Database;
  mailer: Mailer;
  email: MentionEmailSettings & { publicHost: string; maxAttempts: number; smtpTimeoutMs: number };
  /** Called with each final e-mail outcome this process recorded (metrics). */
  onEmailOutcome?: (outcome: 'sent' | 'failed' | 'unknown') => void;
  /** Most events one statement handles (group commit). */
  maxBatch: number;
  /**
   * E-mails between their claim and their outcome at once (the mailer's connections). Claimed only
   * when about to be sent: a crash leaves at most this many `sending` (then `unknown`, never sent).
   */
  emailsAtOnce: number;
  /**
   * How long the last step (marker and e-mail outcome) may wait to share its statement with more
   * events: the notification is shown and the e-mail sent by then, so only the ack waits.
   */
  finishLingerMs: number;
}

export type EventHandler = (event: DomainEvent, log: Logger) => Promise<void>;

/**
 * The database steps of the notifications consumer, each shared by the events handled at the same
 * time: N concurrent events cost one statement per step, not N (see `Batcher`).
 */
interface NotifySteps {
  /** The notify step (`applyNotificationChanges`). */
  notify(request: NotifyRequest): Promise<NotifyOutcome>;
  claimEmail(request: EmailDeliveryRequest): Promise<EmailClaim>;
  /** Runs a claim and its send when the mailer can take one more (see `emailsAtOnce`). */
  deliveries: Limiter;
  /** Resolves to false when the event had been processed already. */
  finish(mention: ProcessedMention): Promise<boolean>;
}

function batchedNotifySteps(deps: HandlerDependencies): NotifySteps {
  const { consumer, database, maxBatch, finishLingerMs } = deps;
  const claimOptions = {
    messageIdDomain: deps.email.publicHost,
    // Longer than an SMTP conversation normally takes (connect + greeting + inactivity timeouts).
    // If a send is still running when this passes, the row becomes `unknown`: the safe direction.
    staleSendingAfterMs: deps.email.smtpTimeoutMs * 3 + 1000,
  };
  // The first two steps run while someone waits for the notification and the e-mail: no linger.
  const notifies = new Batcher(
    (requests: NotifyRequest[]) => applyNotificationChanges(database, consumer, requests),
    { maxBatch },
  );
  const claims = new Batcher(
    (requests: EmailDeliveryRequest[]) => claimEmailDeliveries(database, requests, claimOptions),
    { maxBatch },
  );
  const finishes = new Batcher(
    async (mentions: ProcessedMention[]) => {
      const marked = await recordMentionsProcessed(database, consumer, mentions);
      return mentions.map((m) => marked.has(m.eventId));
    },
    { maxBatch, lingerMs: finishLingerMs },
  );
  return {
    notify: (request) => notifies.add(request),
    claimEmail: (request) => claims.add(request),
    deliveries: new Limiter(deps.emailsAtOnce),
    finish: (mention) => finishes.add(mention),
  };
}

/**
 * Notifications, through the one notify step (`applyNotificationChanges`: rules, idempotency and the
 * NotificationCreated announcement live there), and mention e-mails. A favourite, reblog, follow or
 * undo is one shared statement. A mention is four steps: (1) the notify step, without the marker;
 * (2) the e-mail ledger claim; (3) SMTP, per message, concurrently; (4) the marker with the e-mail
 * outcome. Steps 1, 2 and 4 are shared with the other events in flight.
 */
export function notificationsHandler(deps: HandlerDependencies): EventHandler {
  const steps = batchedNotifySteps(deps);
  return async (event, log) => {
    if (event.type !== 'UserMentioned') {
      const outcome = await steps.notify({ event });
      if (outcome.processed) log.debug({}, 'event already processed');
      return;
    }
    const start = await steps.notify({ event, markProcessed: false });
    if (start.processed) {
      log.debug({}, 'mention already processed');
      return;
    }
    let email: MentionEmailOutcome | undefined;
    if (start.mention) {
      email = await deliverMentionEmail(deps, steps, event, start.mention, log);
    } else {
      log.info(
        { statusId: event.data.statusId },
        'mention skipped: the post, the mention or an account is gone',
      );
    }
    // The marker commits after the e-mail outcome is known, in the same statement as that outcome.
    if (!(await steps.finish(email ? { eventId: event.id, email } : { eventId: event.id }))) {
      log.debug({}, 'a concurrent delivery of the mention was recorded first');
    }
  };
}

/** Sends the mention e-mail if this delivery may; returns the outcome to record with the marker. */
async function deliverMentionEmail(
  deps: HandlerDependencies,
  steps: NotifySteps,
  event: UserMentioned,
  context: MentionContext,
  log: Logger,
): Promise<MentionEmailOutcome | undefined> {
  const key = { eventId: event.id, recipientAccountId: context.recipient.id, kind: 'mention' };
  if (!context.recipient.emailOnMention) {
    await steps.claimEmail({ ...key, skipReason: 'mention e-mails are turned off' });
    return undefined;
  }
  return steps.deliveries.run(() => claimAndSend(deps, steps, key, context, log));
}

async function claimAndSend(
  deps: HandlerDependencies,
  steps: NotifySteps,
  key: EmailDeliveryRequest,
  context: MentionContext,
  log: Logger,
): Promise<MentionEmailOutcome | undefined> {
  const claim = await steps.claimEmail(key);
  if (claim.state === 'in-progress') {
    throw new RetryLater('another delivery of this event is sending the e-mail right now');
  }
  if (claim.state === 'finished') {
    log.debug(
      { deliveryId: claim.delivery.id, status: claim.delivery.status },
      'mention e-mail already handled',
    );
    return undefined;
  }
  const delivery = claim.delivery;
  const mail = composeMentionEmail(context, delivery, deps.email);
  let result: SendResult;
  try {
    result = await deps.mailer.send(mail);
  } catch (err) {
    result = {
      outcome: 'rejected',
      error: (err as Error).message ?? String(err),
      permanent: false,
    };
  }
  const logBase = {
    deliveryId: delivery.id,
    messageId: delivery.messageId,
    attempt: delivery.attempts,
  };
  switch (result.outcome) {
    case 'sent':
      deps.onEmailOutcome?.('sent');
      log.info({ ...logBase, mailer: deps.mailer.description }, 'mention e-mail sent');
      return { deliveryId: delivery.id, status: 'sent' };
    case 'unknown':
      // Maybe delivered: never resent automatically (one e-mail at most).
      deps.onEmailOutcome?.('unknown');
      log.warn(
        { ...logBase, error: result.error },
        'mention e-mail outcome unknown; it will not be resent',
      );
      return { deliveryId: delivery.id, status: 'unknown', error: result.error };
    case 'rejected': {
      if (result.permanent || delivery.attempts >= deps.email.maxAttempts) {
        deps.onEmailOutcome?.('failed');
        log.error({ ...logBase, error: result.error }, 'mention e-mail failed; giving up');
        return { deliveryId: delivery.id, status: 'failed', error: result.error };
      }
      await recordEmailOutcome(deps.database, delivery.id, {
        status: 'pending',
        error: result.error,
      });
      throw new RetryLater(`mention e-mail not sent (${result.error}); will retry`);
    }
  }
}

/** The events the statistics consumer counts, as it counts them. */
function toStatisticsEvent(event: DomainEvent): StatisticsEvent | null {
  switch (event.type) {
    case 'PostCreated':
      return {
        eventId: event.id,
        type: 'PostCreated',
        createdAt: event.data.createdAt,
        accountId: event.data.accountId,
      };
    case 'UserMentioned':
      return {
        eventId: event.id,
        type: 'UserMentioned',
        statusId: event.data.statusId,
        mentionedAccountId: event.data.mentionedAccountId,
      };
    case 'SignedIn':
      return { eventId: event.id, type: 'SignedIn', occurredAt: event.occurredAt };
    default:
      return null;
  }
}

/**
 * Counts posts, mentions and logins live. The events handled at the same time are counted together: one
 * statement records their markers and adds the new ones to the day's row (R26 holds per event: the
 * marker and its count commit together; a repeated event finds its marker and adds nothing). Nobody
 * waits for a count, so a batch lingers for more events (`lingerMs`): fewer, larger statements.
 */
export function statisticsHandler(
  database: Database,
  options: { consumer: string; maxBatch: number; lingerMs: number },
): EventHandler {
  const batcher = new Batcher(async (events: StatisticsEvent[]) => {
    const counted = await countEventsInDailyStats(database, options.consumer, events);
    return events.map((e) => counted.has(e.eventId));
  }, options);
  return async (event, log) => {
    const counted = toStatisticsEvent(event);
    if (!counted) return;
    if (!(await batcher.add(counted))) log.debug({}, 'event already counted');
  };
}
