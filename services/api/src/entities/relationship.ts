import type { Relationship as RelationshipView } from '@murmur/db/follows';
import type { Relationship } from '../schemas/entities.js';

/**
 * Follows, follow requests, endorsements, private notes, blocks and mutes; domain blocks do not
 * apply to local accounts, so they are always false.
 */
export function serializeRelationship(view: RelationshipView): Relationship {
  return {
    id: view.id,
    following: view.following,
    showing_reblogs: view.following,
    notifying: false,
    languages: null,
    followed_by: view.followedBy,
    blocking: view.blocking,
    blocked_by: view.blockedBy,
    muting: view.muting,
    muting_notifications: view.mutingNotifications,
    muting_expires_at: view.mutingExpiresAt?.toISOString() ?? null,
    requested: view.requested,
    requested_by: view.requestedBy,
    domain_blocking: false,
    endorsed: view.endorsed,
    note: view.note,
  };
}
