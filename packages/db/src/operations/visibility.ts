import { sql, type SQL } from 'drizzle-orm';
import { statuses } from '../schema/index.js';
import { authorDoesNotBlock } from '../queries/exclusions.js';

/**
 * Who may see a status: public and unlisted ones, everyone; private ones, the author, followers and
 * mentioned accounts; direct ones, the author and mentioned accounts. Never to a signed-in viewer the
 * author blocks (Mastodon's StatusPolicy): they cannot read, reply to, favourite or boost it. The
 * viewer is an id, or an SQL expression naming one per row (the streaming API asks for many viewers
 * in one statement).
 */
export function visibleTo(viewerId: string | SQL | null | undefined): SQL {
  if (!viewerId) return sql`${statuses.visibility} in ('public', 'unlisted')`;
  return sql`((${statuses.visibility} in ('public', 'unlisted')
    or ${statuses.accountId} = ${viewerId}
    or exists (select 1 from mentions m where m.status_id = ${statuses.id} and m.account_id = ${viewerId})
    or (${statuses.visibility} = 'private' and exists (
      select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = ${statuses.accountId})))
    and ${authorDoesNotBlock(sql`statuses`, sql`${viewerId}::bigint`)})`;
}
