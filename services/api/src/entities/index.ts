export * from './context.js';
export { serializeAccount, serializeCredentialAccount } from './account.js';
export { serializeStatus, type StatusOptions } from './status.js';
export { serializeNotification } from './notification.js';
export { serializeRelationship } from './relationship.js';
export { serializeTag } from './tag.js';
export { serializeMediaAttachment } from './media.js';
