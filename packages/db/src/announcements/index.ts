/**
 * @murmur/db/announcements: the instance's announcements: publishing and withdrawing them, reactions,
 * dismissals, and the active ones a reader sees.
 */
export {
  publishAnnouncement,
  withdrawAnnouncement,
  addAnnouncementReaction,
  removeAnnouncementReaction,
  dismissAnnouncement,
} from '../operations/announcements/index.js';
export { activeAnnouncements, type AnnouncementView } from '../queries/announcements.js';
