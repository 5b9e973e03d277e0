/** RSS 2.0 feed of an account's public posts (no replies, no reblogs), newest 20. */
import { accountStatuses } from '@murmur/db/timelines';
import { type LocalAccount } from '@murmur/db/accounts';
import { escapeHtml, excerpt } from '@murmur/text';
import { toHtmlString } from '@murmur/service-kit/web-edge';
import type { FrontendDependencies } from '../pages.js';
import { displayNameOf, profilePath, statusContent, statusPath } from '../views/status.js';

const FEED_SIZE = 20;

/** XML text and attribute escaping: the five HTML escapes are valid XML too. */
const xml = escapeHtml;

export async function renderRss(
  deps: FrontendDependencies,
  account: LocalAccount,
): Promise<string> {
  const origin = deps.config.publicUrl.origin;
  // Over-fetch a little: replies to others are dropped after the query.
  const statuses = await accountStatuses(
    deps.database.replica,
    account.id,
    { limit: FEED_SIZE * 2 },
    null,
    {
      excludeReplies: true,
      excludeReblogs: true,
    },
  );
  const items = statuses
    .filter((s) => s.visibility === 'public' && s.inReplyToId === null && s.reblog === null)
    .slice(0, FEED_SIZE)
    .map((status) => {
      const link = `${origin}${statusPath(status)}`;
      const title = excerpt(status.spoilerText || status.text, 80);
      return `<item>
<title>${xml(title)}</title>
<link>${xml(link)}</link>
<guid isPermaLink="true">${xml(link)}</guid>
<pubDate>${status.createdAt.toUTCString()}</pubDate>
<description>${xml(toHtmlString(statusContent(status)))}</description>
</item>`;
    });
  const profile = `${origin}${profilePath(account.username)}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(`${displayNameOf(account)} (@${account.username})`)}</title>
<link>${xml(profile)}</link>
<atom:link href="${xml(`${profile}.rss`)}" rel="self" type="application/rss+xml"/>
<description>${xml(`Public posts by @${account.username} on Murmur`)}</description>
${items.join('\n')}
</channel>
</rss>
`;
}
