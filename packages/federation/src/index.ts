export {
  createMurmurFederation,
  profilePath,
  federationUserAgent,
  COLLECTION_PAGE_SIZE,
  type MurmurFederationOptions,
} from './federation.js';
export { PostgresKvStore } from './kv-store.js';
export { actorKeyPairs } from './actor-keys.js';
export { safeDocumentLoader, signedDocumentLoader } from './document-loader.js';
export {
  createRemoteAccountResolver,
  parseHandle,
  REMOTE_ACCOUNT_REFRESH_MS,
  type RemoteAccountResolver,
} from './remote-accounts.js';
export { htmlToText } from './html-text.js';
export {
  createInboxApplier,
  type InboxApplier,
  type InboxApplierOptions,
  type RecordedActivity,
} from './inbox-apply.js';
export { REPLY_FETCH_LIMITS, type ReplyFetchLimits } from './inbox/context.js';
export { followActivityUri } from './inbox/follow-answer.js';
export { sanitizeRemoteHtml } from './sanitize-html.js';
export {
  STATUS_PATH,
  localActorUri,
  localStatusUri,
  localStatusUrl,
  parseLocalStatusUri,
  type LocalStatusReference,
} from './local-uris.js';
export {
  createRelationshipSender,
  RELATIONSHIP_EVENT_TYPES,
  type RelationshipSender,
} from './relationships.js';
