/**
 * @murmur/db/media: media attachments, avatars and headers: uploads, the worker's processing
 * results, descriptions and focus, and removing what was never attached or has expired.
 */
export { createMediaUpload } from '../operations/media/create-upload.js';
export {
  findPendingMedia,
  markMediaProcessed,
  markMediaFailed,
  mediaExists,
  type PendingMedia,
} from '../operations/media/processing.js';
export { updateMedia } from '../operations/media/update-media.js';
export { deleteUnattachedMedia } from '../operations/media/delete-unattached.js';
export { MAX_MEDIA_PER_STATUS } from '../operations/media/attach-to-status.js';
export { MAX_MEDIA_DESCRIPTION_LENGTH, type Focus } from '../operations/media/rules.js';
export { removeExpiredMedia } from '../operations/media/cleanup.js';
export { setProfileImage, type ProfileImageKind } from '../operations/media/profile-images.js';
export { findOwnMedia } from '../queries/media.js';
export type { MediaFileMeta } from '../schema/index.js';
