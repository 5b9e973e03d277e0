import type { Relationship as RelationshipView } from '@murmur/db';
import type { Relationship } from '../schemas/entities.js';

/**
 * Follows, follow requests, endorsements and private notes; blocks and mutes do not exist here, so
 * they are always false.
 */
export function serializeRelationship(view: RelationshipView): Relationship {
  return {
    id: view.id,
    following: view.following,
    showing_reblogs: view.following,
    notifying: false,
    languages: null,
    followed_by: view.followedBy,
    blocking: false,
    blocked_by: false,
    muting: false,
    muting_notifications: false,
    muting_expires_at: null,
    requested: view.requested,
    requested_by: view.requestedBy,
    domain_blocking: false,
    endorsed: view.endorsed,
    note: view.note,
  };
}
