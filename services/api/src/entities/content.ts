import { normalizeUsername, renderStatusHtml } from '@murmur/text';
import { profileUrl, tagUrl } from './context.js';

/**
 * The `content` HTML of a text written on this server (a status, an announcement): links, hashtags,
 * and mentions of the accounts it is known to mention; any other `@name` stays text.
 */
export function renderContent(
  text: string,
  mentions: readonly { username: string }[],
  publicUrl: string,
): string {
  const mentioned = new Map(mentions.map((m) => [normalizeUsername(m.username), m.username]));
  return renderStatusHtml(text, {
    profileUrl: (username) => {
      const known = mentioned.get(username);
      return known === undefined ? null : profileUrl(publicUrl, known);
    },
    tagUrl: (name) => tagUrl(publicUrl, name),
  });
}
