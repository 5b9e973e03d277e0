/**
 * The `push` consumer: every notification the worker creates (`NotificationCreated`) is pushed to
 * each subscription of its recipient that wants it (alerts and policy). Two database steps, each
 * shared by the events handled at the same time (`Batcher`): claiming the pushes in the delivery
 * ledger before they are sent (so a redelivered event never pushes twice), and recording their
 * outcomes with the events' markers (a subscription whose push service answered 404/410 is deleted
 * there). The pushes of one event go out side by side, each bounded by the sender.
 */
import { type Database } from '@murmur/db';
import {
  claimWebPushTargets,
  finishWebPushEvents,
  type AnnouncedNotification,
  type WebPushClaim,
  type WebPushOutcome,
} from '@murmur/db/notifications';
import { openAccessToken, type Logger } from '@murmur/service-kit';
import { Batcher } from '../batcher.js';
import type { EventHandler } from '../handlers.js';
import { pushPayload } from './payload.js';
import type { PushOutcome, PushSender } from './sender.js';

export const PUSH_CONSUMER = 'push';

export interface PushHandlerDependencies {
  database: Database;
  /** Null while push is off: events are marked processed and nothing is sent. */
  sender: PushSender | null;
  vapidPrivateKey: string;
  publicUrl: string;
  /** Most events one statement handles. */
  maxBatch: number;
  onOutcome?: (outcome: PushOutcome['status']) => void;
}

async function pushOne(
  deps: PushHandlerDependencies & { sender: PushSender },
  claim: WebPushClaim,
  log: Logger,
): Promise<WebPushOutcome> {
  const accessToken = openAccessToken(deps.vapidPrivateKey, claim.accessTokenSealed);
  const outcome: PushOutcome =
    accessToken === null
      ? { status: 'failed', attempts: 0, lastError: 'token sealed with another VAPID key' }
      : await deps.sender.send({
          endpoint: claim.endpoint,
          keys: claim.keys,
          standard: claim.standard,
          payload: pushPayload(claim.notification, {
            publicUrl: deps.publicUrl,
            accessToken,
            preferredLocale: 'en',
          }),
        });
  deps.onOutcome?.(outcome.status);
  if (outcome.status === 'gone') {
    log.info({ subscriptionId: claim.subscriptionId }, 'push subscription gone; deleting it');
  } else if (outcome.status === 'failed') {
    log.warn(
      {
        subscriptionId: claim.subscriptionId,
        attempts: outcome.attempts,
        error: outcome.lastError,
      },
      'push failed',
    );
  }
  return {
    notificationId: claim.notification.id,
    subscriptionId: claim.subscriptionId,
    ...outcome,
  };
}

export function pushHandler(deps: PushHandlerDependencies): EventHandler {
  const claims = new Batcher(async (facts: AnnouncedNotification[]) => {
    const claimed = await claimWebPushTargets(deps.database, facts);
    // The same event twice in one batch (a redelivery racing the first): its pushes go to one copy.
    const handedOut = new Set<WebPushClaim>();
    return facts.map((fact) =>
      claimed.filter((claim) => {
        if (claim.eventId !== fact.eventId || handedOut.has(claim)) return false;
        handedOut.add(claim);
        return true;
      }),
    );
  }, deps);
  const finishes = new Batcher(
    async (events: { eventId: string; outcomes: WebPushOutcome[] }[]) => {
      await finishWebPushEvents(deps.database, PUSH_CONSUMER, events);
      return events.map(() => undefined);
    },
    deps,
  );
  return async (event, log) => {
    const sender = deps.sender;
    let outcomes: WebPushOutcome[] = [];
    if (event.type === 'NotificationCreated' && sender !== null) {
      const claimed = await claims.add({ eventId: event.id, ...event.data });
      outcomes = await Promise.all(
        claimed.map((claim) => pushOne({ ...deps, sender }, claim, log)),
      );
    }
    await finishes.add({ eventId: event.id, outcomes });
  };
}
