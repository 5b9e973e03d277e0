export {
  type MediaStorage,
  type StoredFile,
  isValidKey,
  incomingKey,
  processedKey,
  profileImageKey,
  servedContentType,
  SERVED_KEY,
} from './storage/storage.js';
export { LocalStorage } from './storage/local.js';
export { S3Storage, type S3StorageConfig } from './storage/s3.js';
export { MediaRejected } from './errors.js';
export { MEDIA_LIMITS, SUPPORTED_IMAGE_TYPES, AVATAR_SIZE, HEADER_SIZE } from './limits.js';
export {
  inspectImage,
  processAttachment,
  processProfileImage,
  replaceProfileImage,
  disableImageCache,
  type ImageFormat,
  type ImageInfo,
  type ProcessedImage,
  type ProcessedAttachment,
} from './images.js';
export {
  createMediaStorage,
  mediaUrlBuilder,
  mediaStorageSettings,
  type MediaEnvironment,
  type MediaStorageSettings,
} from './storage/create.js';
