import { normalizeUsername, renderStatusHtml } from '@murmur/text';
import { profileUrl, tagUrl } from './context.js';

/**
 * The `content` HTML of a text written on this server (a status, an announcement): links, hashtags,
 * and mentions of the accounts it is known to mention (a remote one links to its profile on its
 * server); any other `@name` stays text.
 */
export function renderContent(
  text: string,
  mentions: readonly { username: string; domain?: string | null; url?: string | null }[],
  publicUrl: string,
): string {
  const local = new Map(
    mentions.filter((m) => !m.domain).map((m) => [normalizeUsername(m.username), m.username]),
  );
  const remote = new Map(
    mentions
      .filter((m) => m.domain && m.url)
      .map((m) => [`${normalizeUsername(m.username)}@${m.domain!.toLowerCase()}`, m.url!]),
  );
  return renderStatusHtml(text, {
    profileUrl: (username) => {
      const known = local.get(username);
      return known === undefined ? null : profileUrl(publicUrl, known);
    },
    remoteProfileUrl: (username, domain) => remote.get(`${username}@${domain}`) ?? null,
    tagUrl: (name) => tagUrl(publicUrl, name),
  });
}
