import type { FeaturedTagView, TagDetailView, TagView } from '@murmur/db/tags';
import type { FeaturedTag, Tag } from '../schemas/entities.js';
import { profileUrl, tagUrl } from './context.js';

export function serializeTag(
  view: Pick<TagView, 'name'> & Partial<TagView>,
  publicUrl: string,
): Tag {
  const tag: Tag = { name: view.name, url: tagUrl(publicUrl, view.name), history: [] };
  if (view.id !== undefined) tag.id = view.id;
  return tag;
}

/**
 * A hashtag with its daily use (newest day first; Mastodon writes each number as a string and
 * each day as the UNIX time of its midnight) and, for a signed-in viewer, `following` and `featuring`.
 */
export function serializeTagDetail(
  view: TagDetailView,
  publicUrl: string,
  viewerId: string | null,
): Tag {
  const tag: Tag = {
    id: view.id,
    name: view.name,
    url: tagUrl(publicUrl, view.name),
    history: view.history.map((h) => ({
      day: String(Math.floor(h.day.getTime() / 1000)),
      uses: String(h.uses),
      accounts: String(h.accounts),
    })),
  };
  if (viewerId !== null) {
    tag.following = view.following;
    tag.featuring = view.featuring;
  }
  return tag;
}

/** A featured hashtag; its URL is the owner's statuses with the tag, as on Mastodon. */
export function serializeFeaturedTag(
  view: FeaturedTagView,
  owner: { username: string },
  publicUrl: string,
): FeaturedTag {
  return {
    id: view.id,
    name: view.name,
    url: `${profileUrl(publicUrl, owner.username)}/tagged/${encodeURIComponent(view.name)}`,
    statuses_count: String(view.statusesCount),
    last_status_at: view.lastStatusAt,
  };
}
