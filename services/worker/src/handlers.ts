/**
 * What each consumer does with an event. Every handler is idempotent (reliability R26): its effect
 * commits together with the `processed_events` marker, a repeated delivery finds the marker and does
 * nothing, and the message is acked only after the commit (the consume helper acks when the handler
 * returns). Handlers read the current state (R32): a mention of a deleted post, or of an account that
 * is gone, is marked processed without notification or e-mail. Throwing means "retry later" (nak).
 */
import {
  claimEmailDelivery,
  countEventsInDailyStats,
  markEventProcessed,
  recordEmailOutcome,
  recordMentionProcessed,
  recordSkippedEmail,
  startMentionNotification,
  type Database,
  type MentionContext,
  type StatisticsEvent,
} from '@murmur/db';
import type { DomainEvent, UserMentioned } from '@murmur/events';
import type { Logger } from '@murmur/service-kit';
import type { Mailer, SendResult } from './mail/mailer.js';
import { Batcher } from './batcher.js';
import { composeMentionEmail, type MentionEmailSettings } from './mail/mention-email.js';
import { NOTIFICATIONS_CONSUMER, STATISTICS_CONSUMER } from './topology.js';

/** A failure worth retrying later (nak with backoff), logged without a stack. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export interface HandlerDependencies {
  database: Database;
  mailer: Mailer;
  email: MentionEmailSettings & { publicHost: string; maxAttempts: number; smtpTimeoutMs: number };
  /** Called with each final e-mail outcome this process recorded (metrics). */
  onEmailOutcome?: (outcome: 'sent' | 'failed' | 'unknown') => void;
}

export type EventHandler = (event: DomainEvent, log: Logger) => Promise<void>;

export function notificationsHandler(deps: HandlerDependencies): EventHandler {
  return async (event, log) => {
    if (event.type !== 'UserMentioned') {
      // The consumer filters on UserMentioned; anything else is marked so the reconciler is satisfied.
      await markEventProcessed(deps.database, NOTIFICATIONS_CONSUMER, event.id);
      return;
    }
    const mention = {
      statusId: event.data.statusId,
      authorId: event.data.accountId,
      recipientId: event.data.mentionedAccountId,
    };
    // One round trip: the processed check, the current state, and the in-app notification (shown at
    // once; its unique fact key makes it, and the repeat in the final step, idempotent).
    const start = await startMentionNotification(
      deps.database.primary,
      NOTIFICATIONS_CONSUMER,
      event.id,
      mention,
    );
    if (start.processed) {
      log.debug({}, 'mention already processed');
      return;
    }
    let sentDeliveryId: string | undefined;
    if (start.context) {
      sentDeliveryId = await deliverMentionEmail(deps, event, start.context, log);
    } else {
      log.info(
        { statusId: mention.statusId },
        'mention skipped: the post, the mention or an account is gone',
      );
    }
    // The marker commits after the e-mail outcome is recorded (a `sent` outcome in the same statement),
    // together with the notification.
    await recordMentionProcessed(deps.database, NOTIFICATIONS_CONSUMER, event.id, mention, {
      ...(sentDeliveryId ? { sentDeliveryId } : {}),
    });
  };
}

async function deliverMentionEmail(
  deps: HandlerDependencies,
  event: UserMentioned,
  context: MentionContext,
  log: Logger,
): Promise<string | undefined> {
  const key = { eventId: event.id, recipientAccountId: context.recipient.id, kind: 'mention' };
  if (!context.recipient.emailOnMention) {
    await recordSkippedEmail(deps.database, {
      ...key,
      messageIdDomain: deps.email.publicHost,
      reason: 'mention e-mails are turned off',
    });
    return;
  }
  const claim = await claimEmailDelivery(deps.database, {
    ...key,
    messageIdDomain: deps.email.publicHost,
    // Longer than an SMTP conversation normally takes (connect + greeting + inactivity timeouts).
    // If a send is still running when this passes, the row becomes `unknown`: the safe direction.
    staleSendingAfterMs: deps.email.smtpTimeoutMs * 3 + 1000,
  });
  if (claim.state === 'in-progress') {
    throw new RetryLater('another delivery of this event is sending the e-mail right now');
  }
  if (claim.state === 'finished') {
    log.debug(
      { deliveryId: claim.delivery.id, status: claim.delivery.status },
      'mention e-mail already handled',
    );
    return;
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
      // Recorded with the processed marker (one statement instead of two).
      deps.onEmailOutcome?.('sent');
      log.info({ ...logBase, mailer: deps.mailer.description }, 'mention e-mail sent');
      return delivery.id;
    case 'unknown':
      // Maybe delivered: never resent automatically (one e-mail at most).
      await recordEmailOutcome(deps.database, delivery.id, {
        status: 'unknown',
        error: result.error,
      });
      deps.onEmailOutcome?.('unknown');
      log.warn(
        { ...logBase, error: result.error },
        'mention e-mail outcome unknown; it will not be resent',
      );
      return undefined;
    case 'rejected': {
      const giveUp = result.permanent || delivery.attempts >= deps.email.maxAttempts;
      await recordEmailOutcome(deps.database, delivery.id, {
        status: giveUp ? 'failed' : 'pending',
        error: result.error,
      });
      if (giveUp) {
        deps.onEmailOutcome?.('failed');
        log.error({ ...logBase, error: result.error }, 'mention e-mail failed; giving up');
        return undefined;
      }
      throw new RetryLater(`mention e-mail not sent (${result.error}); will retry`);
    }
  }
}

function toStatisticsEvent(event: DomainEvent): StatisticsEvent {
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
    default:
      return { eventId: (event as DomainEvent).id, type: 'other' };
  }
}

/**
 * Counts posts and mentions live. The events handled at the same time are counted together: one
 * statement records their markers and adds the new ones to the day's row (R26 holds per event: the
 * marker and its count commit together; a repeated event finds its marker and adds nothing).
 */
export function statisticsHandler(database: Database, maxBatch: number): EventHandler {
  const batcher = new Batcher<StatisticsEvent>(async (events) => {
    await countEventsInDailyStats(database, STATISTICS_CONSUMER, events);
  }, maxBatch);
  return (event) => batcher.add(toStatisticsEvent(event));
}
