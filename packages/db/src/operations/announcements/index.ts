export {
  publishAnnouncement,
  withdrawAnnouncement,
  MAX_ANNOUNCEMENT_CHARACTERS,
  type PublishAnnouncementInput,
} from './publish.js';
export {
  addAnnouncementReaction,
  removeAnnouncementReaction,
  isReactionEmoji,
  MAX_ANNOUNCEMENT_REACTIONS,
} from './react.js';
export { dismissAnnouncement } from './dismiss.js';
