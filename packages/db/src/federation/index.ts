/**
 * @murmur/db/federation: what ActivityPub needs stored: Fedify's key-value store, actors' keys,
 * remote accounts and statuses, the record of activities received, and the ledger of activities sent.
 */
export {
  getFederationEntry,
  setFederationEntry,
  deleteFederationEntry,
  compareAndSetFederationEntry,
  listFederationEntries,
  deleteExpiredFederationEntries,
  type FederationKey,
} from '../operations/federation/kv-store.js';
export {
  findActorKeys,
  storeActorKey,
  type StoredActorKey,
} from '../operations/federation/actor-keys.js';
export {
  upsertRemoteAccount,
  findRemoteAccount,
  type RemoteActorProfile,
} from '../operations/federation/remote-accounts.js';
export {
  recordRemoteActivity,
  type RemoteActivityInput,
} from '../operations/federation/record-remote-activity.js';
export { ACTOR_KEY_ALGORITHMS, type ActorKeyAlgorithm } from '../schema/index.js';
export {
  enqueueFederationDeliveries,
  ENQUEUE_BATCH,
  inboxHost,
  type FederationDeliveryRequest,
  type ClaimedFederationDelivery,
} from '../operations/federation/deliveries/enqueue.js';
export { claimDueFederationDeliveries } from '../operations/federation/deliveries/claim-due.js';
export {
  recordFederationDeliveryOutcomes,
  deleteFinishedFederationDeliveries,
  type FederationDeliveryOutcome,
} from '../operations/federation/deliveries/record-outcomes.js';
export {
  findOutgoingStatus,
  findStatusObjectRef,
  federationInboxes,
  everyKnownInbox,
  knownPeerDomains,
  publicStatusIdsOf,
  type OutgoingStatus,
  type FederatedActorRef,
  type StatusObjectRef,
} from '../queries/federation-outgoing.js';
export {
  receiveRemoteStatus,
  MAX_REMOTE_CONTENT,
  type RemoteStatusInput,
  type RemoteAttachmentInput,
  type RemotePollInput,
  MAX_REMOTE_POLL_OPTIONS,
} from '../operations/federation/receive-remote-status.js';
export { findRemotePollVote, type RemotePollVote } from '../queries/remote-poll-votes.js';
export { updateRemotePoll } from '../operations/federation/update-remote-poll.js';
export { deleteRemoteAccount } from '../operations/federation/delete-remote-account.js';
export {
  findRemoteProfileImages,
  recordCachedRemoteProfileImage,
  type RemoteProfileImages,
} from '../operations/federation/remote-profile-images.js';
export {
  acknowledgeRepeatedFollow,
  type RepeatedFollowInput,
} from '../operations/federation/acknowledge-repeated-follow.js';
export {
  updateRemoteStatus,
  type RemoteStatusUpdate,
} from '../operations/federation/update-remote-status.js';
export {
  findStatusByUri,
  accountIdsByUris,
  findAccountByUri,
  findStatusOfAuthor,
  hasLocalFollowers,
  federatedAccounts,
  followActivityUriOf,
  type FederatedAccount,
} from '../queries/remote-objects.js';
export { instanceDomainPolicy, anyHostSuspended } from '../queries/instance-domain-blocks.js';
