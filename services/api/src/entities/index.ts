export * from './context.js';
export { serializeAccount, serializeCredentialAccount } from './account.js';
export { serializeStatus, type StatusOptions } from './status.js';
export {
  partialAccount,
  serializeNotification,
  serializeNotificationGroup,
} from './notification.js';
export { serializeRelationship } from './relationship.js';
export { serializeFeaturedTag, serializeTag, serializeTagDetail } from './tag.js';
export { serializeMediaAttachment } from './media.js';
export { serializeAnnouncement } from './announcement.js';
export { serializeReport, serializeAdminAccount, serializeAdminReport } from './moderation.js';
export {
  maskDomain,
  serializeAdminDomainBlock,
  serializePublicDomainBlock,
} from './domain-block.js';
