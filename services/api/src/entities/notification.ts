import {
  notificationGroupKey,
  type NotificationGroupView,
  type NotificationView,
} from '@murmur/db/notifications';
import type {
  Account,
  Notification,
  NotificationGroup,
  PartialAccountWithAvatar,
} from '../schemas/entities.js';
import { serializeAccount } from './account.js';
import { timestamp, type EntityContext } from './context.js';
import { serializeReport } from './moderation.js';
import { serializeStatus } from './status.js';

export function serializeNotification(
  view: NotificationView,
  context: EntityContext,
): Notification {
  const notification: Notification = {
    id: view.id,
    type: view.type,
    created_at: timestamp(view.createdAt),
    // The key its group has in /api/v2/notifications (with every groupable type grouped).
    group_key: notificationGroupKey({
      id: view.id,
      type: view.type,
      statusId: view.status?.id ?? null,
    }),
    account: serializeAccount(view.account, context.publicUrl),
  };
  if (view.status) notification.status = serializeStatus(view.status, context);
  if (view.report) {
    notification.report = serializeReport(view.report.view, view.report.target, context.publicUrl);
  }
  return notification;
}

export function serializeNotificationGroup(view: NotificationGroupView): NotificationGroup {
  const group: NotificationGroup = {
    group_key: view.groupKey,
    most_recent_notification_id: view.mostRecentNotificationId,
    notifications_count: view.notificationsCount,
    sample_account_ids: view.sampleAccounts.map((account) => account.id),
    type: view.type,
    page_min_id: view.pageMinId,
    page_max_id: view.pageMaxId,
    latest_page_notification_at: timestamp(view.latestPageNotificationAt),
  };
  if (view.statusId !== null) group.status_id = view.statusId;
  return group;
}

/** The few fields an app needs to draw an avatar (`expand_accounts=partial_avatars`). */
export function partialAccount(account: Account): PartialAccountWithAvatar {
  const { id, acct, url, avatar, avatar_static, locked, bot } = account;
  return { id, acct, url, avatar, avatar_static, locked, bot };
}
