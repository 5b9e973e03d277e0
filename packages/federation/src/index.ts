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
export { createInboxApplier, type InboxApplier, type RecordedActivity } from './inbox-apply.js';
export {
  STATUS_PATH,
  localActorUri,
  localStatusUri,
  localStatusUrl,
  parseLocalStatusUri,
  type LocalStatusReference,
} from './local-uris.js';
