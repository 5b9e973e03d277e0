/**
 * The `push` consumer: every notification the worker creates (`NotificationCreated`) is pushed to
 * each subscription of its recipient that wants it (alerts and policy: `findWebPushTargets`). Each
 * (notification, subscription) is claimed in the delivery ledger before it is sent, so a redelivered
 * event never pushes twice; a subscription whose push service answers 404/410 is deleted. The pushes
 * of one event go out side by side, each bounded by the sender.
 */
import {
  claimWebPushDeliveries,
  dropWebPushSubscription,
  findWebPushTargets,
  markEventProcessed,
  recordWebPushOutcome,
  type Database,
  type WebPushNotification,
  type WebPushTarget,
} from '@murmur/db';
import { openAccessToken, type Logger } from '@murmur/service-kit';
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
  onOutcome?: (outcome: PushOutcome['status']) => void;
}

async function pushOne(
  deps: PushHandlerDependencies & { sender: PushSender },
  notification: WebPushNotification,
  target: WebPushTarget,
  log: Logger,
): Promise<void> {
  const accessToken = openAccessToken(deps.vapidPrivateKey, target.accessTokenSealed);
  const outcome: PushOutcome =
    accessToken === null
      ? { status: 'failed', attempts: 0, lastError: 'token sealed with another VAPID key' }
      : await deps.sender.send({
          endpoint: target.endpoint,
          keys: target.keys,
          standard: target.standard,
          payload: pushPayload(notification, {
            publicUrl: deps.publicUrl,
            accessToken,
            preferredLocale: 'en',
          }),
        });
  deps.onOutcome?.(outcome.status);
  if (outcome.status === 'gone') {
    await dropWebPushSubscription(deps.database, target.subscriptionId);
    log.info({ subscriptionId: target.subscriptionId }, 'push subscription gone; deleted');
    return;
  }
  if (outcome.status === 'failed') {
    log.warn(
      {
        subscriptionId: target.subscriptionId,
        attempts: outcome.attempts,
        error: outcome.lastError,
      },
      'push failed',
    );
  }
  await recordWebPushOutcome(deps.database, {
    notificationId: notification.id,
    subscriptionId: target.subscriptionId,
    status: outcome.status,
    attempts: outcome.attempts,
    lastError: outcome.lastError,
  });
}

export function pushHandler(deps: PushHandlerDependencies): EventHandler {
  return async (event, log) => {
    const sender = deps.sender;
    if (event.type === 'NotificationCreated' && sender !== null) {
      const found = await findWebPushTargets(deps.database.primary, event.data);
      if (found && found.targets.length > 0) {
        const claimed = await claimWebPushDeliveries(
          deps.database,
          found.notification.id,
          found.targets.map((target) => target.subscriptionId),
        );
        await Promise.all(
          found.targets
            .filter((target) => claimed.has(target.subscriptionId))
            .map((target) => pushOne({ ...deps, sender }, found.notification, target, log)),
        );
      }
    }
    await markEventProcessed(deps.database, PUSH_CONSUMER, event.id);
  };
}
