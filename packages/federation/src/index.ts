export {
  createMurmurFederation,
  federationUserAgent,
  COLLECTION_PAGE_SIZE,
  type MurmurFederationOptions,
} from './federation.js';
export { PostgresKvStore } from './kv-store.js';
export { actorKeyPairs } from './actor-keys.js';
export {
  safeDocumentLoader,
  signedDocumentLoader,
  type SigningIdentity as DocumentSigningIdentity,
} from './document-loader.js';
export {
  createDomainGate,
  signatureKeyHosts,
  activityActorHost,
  type DomainGate,
} from './domain-gate.js';
export { INSTANCE_ACTOR_IDENTIFIER } from './instance-actor.js';
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
  parseLocalStatusUri,
  type LocalStatusReference,
} from './local-uris.js';
export { noteOf, audienceOf, statusContentHtml, withAttachmentExtras } from './outgoing/note.js';
export {
  createActivity,
  updateNoteActivity,
  deleteNoteActivity,
  announceActivity,
  undoAnnounceActivity,
  updatePersonActivity,
  deletePersonActivity,
  likeActivity,
  undoLikeActivity,
  type BoostReference,
  type LikeReference,
} from './outgoing/activities.js';
export {
  createOutgoingPlanner,
  FEDERATED_EVENT_TYPES,
  type OutgoingPlan,
  type OutgoingPlanner,
} from './outgoing/plan.js';
export {
  Deliverer,
  DEFAULT_DELIVERY_CONCURRENCY,
  DEFAULT_PER_HOST_CONCURRENCY,
  type DeliveryJob,
  type DelivererOptions,
} from './delivery/deliverer.js';
export { HostCircuitBreakers, DEFAULT_BREAKER, type BreakerPolicy } from './delivery/breaker.js';
export { retryDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './delivery/backoff.js';
export {
  postActivity,
  ACTIVITY_CONTENT_TYPE,
  type AttemptResult,
  type SigningIdentity,
} from './delivery/post-activity.js';
export { signingIdentities } from './delivery/signing-keys.js';
export { planRelationship, RELATIONSHIP_EVENT_TYPES } from './relationships.js';
export {
  resolveMentionedAccounts,
  remoteHandlesOf,
  MENTION_RESOLUTION_LIMITS,
  type MentionResolutionLimits,
} from './outgoing/mentions.js';
