/**
 * @murmur/db/notifications: notifications: the worker's notify step (the one road that creates
 * them), reading them one by one or grouped, dismissing them, read markers, and Web Push
 * subscriptions and deliveries.
 */
export {
  applyNotificationChanges,
  recordMentionsProcessed,
  NOTIFYING_EVENT_TYPES,
  type MentionContext,
  type MentionEmailOutcome,
  type NotifyOutcome,
  type NotifyRequest,
  type ProcessedMention,
} from '../operations/notify.js';
export { NOTIFICATION_TYPES } from '../schema/index.js';
export type { NotificationView } from '../queries/views.js';
export {
  listNotifications,
  getNotification,
  unreadNotificationsCount,
} from '../queries/notifications.js';
export {
  listNotificationGroups,
  getNotificationGroup,
  listNotificationGroupAccounts,
  unreadNotificationGroupsCount,
  type NotificationGroupView,
  type NotificationGroupPage,
} from '../queries/notification-groups.js';
export { notificationGroupKey } from '../queries/notification-group-keys.js';
export {
  dismissNotification,
  dismissNotificationGroup,
  clearNotifications,
} from '../operations/notifications.js';
export {
  getMarkers,
  saveMarkers,
  MARKER_TIMELINES,
  type MarkerView,
} from '../operations/markers.js';
export { WEB_PUSH_ALERTS } from '../operations/web-push/subscription-input.js';
export {
  subscribeWebPush,
  type WebPushSubscription,
} from '../operations/web-push/subscribe-web-push.js';
export { updateWebPushSubscription } from '../operations/web-push/update-web-push-subscription.js';
export { unsubscribeWebPush } from '../operations/web-push/unsubscribe-web-push.js';
export {
  claimWebPushTargets,
  type AnnouncedNotification,
  type WebPushClaim,
  type WebPushNotification,
} from '../operations/web-push/claim-web-push-targets.js';
export {
  deleteOldWebPushDeliveries,
  finishWebPushEvents,
  type WebPushOutcome,
} from '../operations/web-push/web-push-deliveries.js';
export { findWebPushSubscription } from '../queries/web-push-subscription.js';
export {
  getNotificationPolicy,
  listNotificationRequests,
  getNotificationRequest,
  type NotificationPolicyView,
  type NotificationRequestView,
} from '../queries/notification-requests.js';
export {
  updateNotificationPolicy,
  type NotificationPolicyChange,
} from '../operations/notification-requests/update-notification-policy.js';
export {
  acceptNotificationRequests,
  acceptNotificationRequest,
} from '../operations/notification-requests/accept-notification-requests.js';
export {
  dismissNotificationRequests,
  dismissNotificationRequest,
} from '../operations/notification-requests/dismiss-notification-requests.js';
