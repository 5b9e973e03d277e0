import type { AnnouncementView } from '@murmur/db/announcements';
import { extractHashtags } from '@murmur/text';
import type { Announcement } from '../schemas/entities.js';
import { renderContent } from './content.js';
import { profileUrl, tagUrl, timestamp } from './context.js';

/** The Announcement entity: its text formatted as a status's is, with the viewer's read mark. */
export function serializeAnnouncement(view: AnnouncementView, publicUrl: string): Announcement {
  return {
    id: view.id,
    content: renderContent(view.text, view.mentions, publicUrl),
    starts_at: view.startsAt ? timestamp(view.startsAt) : null,
    ends_at: view.endsAt ? timestamp(view.endsAt) : null,
    all_day: view.allDay,
    published_at: timestamp(view.publishedAt),
    updated_at: timestamp(view.updatedAt),
    ...(view.read === null ? {} : { read: view.read }),
    mentions: view.mentions.map((m) => ({
      id: m.id,
      username: m.username,
      acct: m.username,
      url: profileUrl(publicUrl, m.username),
    })),
    statuses: [],
    tags: extractHashtags(view.text).map((name) => ({ name, url: tagUrl(publicUrl, name) })),
    emojis: [],
    reactions: view.reactions.map((r) => ({
      name: r.name,
      count: r.count,
      ...(view.read === null ? {} : { me: r.me }),
    })),
  };
}
