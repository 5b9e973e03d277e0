/**
 * @murmur/db/federation: what ActivityPub needs stored: Fedify's key-value store, actors' keys,
 * remote accounts and the record of activities received.
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
