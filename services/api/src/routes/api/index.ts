/**
 * The Mastodon client API routes (`/api/v1/*`, `/api/v2/*`), plus NodeInfo, the default images and
 * the media files (`/media/*`).
 * Registered by app.ts with prefix '', so routes use their full paths. Every route declares
 * `config.auth` (and `config.scopes` when it needs a token): see src/plugins/context.ts.
 */
import type { ApiInstance } from '../../plugins/context.js';
import nodeinfoRoutes from '../nodeinfo/index.js';
import imageRoutes from './images.js';
import mediaFileRoutes from './media-files.js';
import accountRoutes from './v1/accounts.js';
import announcementRoutes from './v1/announcements.js';
import annualReportRoutes from './v1/annual-reports.js';
import blockMuteRoutes from './v1/blocks-mutes.js';
import bookmarkRoutes from './v1/bookmarks.js';
import followRequestRoutes from './v1/follow-requests.js';
import emailConfirmationRoutes from './v1/email-confirmations.js';
import conversationRoutes from './v1/conversations.js';
import currentProfileRoutes from './v1/current-profile.js';
import operationsRoutes from './v1/operations.js';
import instanceTextRoutes from './v1/instance-texts.js';
import peopleRoutes from './v1/people.js';
import profileFeatureRoutes from './v1/profile-features.js';
import statusesByIdRoutes from './v1/statuses-by-id.js';
import tagRoutes from './v1/tags.js';
import instanceRoutes from './v1/instance.js';
import listRoutes from './v1/lists.js';
import markerRoutes from './v1/markers.js';
import mediaRoutes from './v1/media.js';
import notificationRoutes from './v1/notifications.js';
import notificationRequestRoutes from './v1/notification-requests.js';
import profileRoutes from './v1/profile.js';
import pollRoutes from './v1/polls.js';
import scheduledStatusRoutes from './v1/scheduled-statuses.js';
import statusEditRoutes from './v1/status-edits.js';
import pushSubscriptionRoutes from './v1/push-subscription.js';
import statusRoutes from './v1/statuses.js';
import stubRoutes from './v1/stubs.js';
import timelineRoutes from './v1/timelines.js';
import trendRoutes from './v1/trends.js';
import filterRoutes from './v2/filters.js';
import groupedNotificationRoutes from './v2/notifications.js';
import reportRoutes from './v1/reports.js';
import adminAccountRoutes from './admin/accounts.js';
import adminReportRoutes from './admin/reports.js';
import adminDomainBlockRoutes from './admin/domain-blocks.js';
import searchRoutes from './v2/search.js';

export default async function apiRoutes(app: ApiInstance): Promise<void> {
  await app.register(instanceRoutes);
  await app.register(nodeinfoRoutes);
  await app.register(imageRoutes);
  await app.register(mediaFileRoutes);
  await app.register(mediaRoutes);
  await app.register(profileRoutes);
  await app.register(accountRoutes);
  await app.register(statusRoutes);
  await app.register(timelineRoutes);
  await app.register(notificationRoutes);
  await app.register(groupedNotificationRoutes);
  await app.register(notificationRequestRoutes);
  await app.register(searchRoutes);
  await app.register(markerRoutes);
  await app.register(instanceTextRoutes);
  await app.register(bookmarkRoutes);
  await app.register(profileFeatureRoutes);
  await app.register(tagRoutes);
  await app.register(peopleRoutes);
  await app.register(followRequestRoutes);
  await app.register(emailConfirmationRoutes);
  await app.register(currentProfileRoutes);
  await app.register(operationsRoutes);
  await app.register(statusesByIdRoutes);
  await app.register(trendRoutes);
  await app.register(announcementRoutes);
  await app.register(annualReportRoutes);
  await app.register(blockMuteRoutes);
  await app.register(listRoutes);
  await app.register(conversationRoutes);
  await app.register(reportRoutes);
  await app.register(adminReportRoutes);
  await app.register(adminAccountRoutes);
  await app.register(adminDomainBlockRoutes);
  await app.register(filterRoutes);
  await app.register(statusEditRoutes);
  await app.register(pollRoutes);
  await app.register(scheduledStatusRoutes);
  await app.register(pushSubscriptionRoutes);
  await app.register(stubRoutes);
}
