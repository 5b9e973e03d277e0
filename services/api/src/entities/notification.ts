import type { NotificationView } from '@murmur/db';
import type { Notification } from '../schemas/entities.js';
import { serializeAccount } from './account.js';
import { timestamp, type EntityContext } from './context.js';
import { serializeStatus } from './status.js';

export function serializeNotification(
  view: NotificationView,
  context: EntityContext,
): Notification {
  const notification: Notification = {
    id: view.id,
    type: view.type,
    created_at: timestamp(view.createdAt),
    group_key: `ungrouped-${view.id}`,
    account: serializeAccount(view.account, context.publicUrl),
  };
  if (view.status) notification.status = serializeStatus(view.status, context);
  return notification;
}
