import { sql, type SQL } from 'drizzle-orm';
import { statuses } from '../schema/index.js';
import { authorDoesNotBlock } from '../queries/exclusions.js';

/**
 * What `visibleTo` decides from, for one status and one viewer. The rule (`visibilityRule`) is
 * written once; `visibleTo` reads these facts from the `statuses` row per viewer, and the streaming
 * API (`visibleToGiven`) reads the status's side once per event and asks only the viewer's side
 * for each of its hundred viewers. Both are this one rule.
 */
interface VisibilityFacts {
  /** The status's `visibility` column. */
  visibility: SQL;
  /** The status's author is the viewer. */
  isAuthor: SQL;
  /** The viewer is mentioned in the status. */
  isMentioned: SQL;
  /** The viewer follows the status's author. */
  followsAuthor: SQL;
  /** The status's author does not block the viewer (Mastodon's StatusPolicy). */
  notBlockedByAuthor: SQL;
}

function visibilityRule(facts: VisibilityFacts): SQL {
  return sql`((${facts.visibility} in ('public', 'unlisted')
    or ${facts.isAuthor}
    or ${facts.isMentioned}
    or (${facts.visibility} = 'private' and ${facts.followsAuthor}))
    and ${facts.notBlockedByAuthor})`;
}

/**
 * Who may see a status: public and unlisted ones, everyone; private ones, the author, followers and
 * mentioned accounts; direct ones, the author and mentioned accounts. Never to a signed-in viewer the
 * author blocks (Mastodon's StatusPolicy): they cannot read, reply to, favourite or boost it. The
 * viewer is an id, or an SQL expression naming one per row.
 */
export function visibleTo(viewerId: string | SQL | null | undefined): SQL {
  if (!viewerId) return sql`${statuses.visibility} in ('public', 'unlisted')`;
  return visibilityRule({
    visibility: sql`${statuses.visibility}`,
    isAuthor: sql`${statuses.accountId} = ${viewerId}`,
    isMentioned: sql`exists (select 1 from mentions m where m.status_id = ${statuses.id} and m.account_id = ${viewerId})`,
    followsAuthor: sql`exists (
      select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = ${statuses.accountId})`,
    notBlockedByAuthor: authorDoesNotBlock(sql`statuses`, sql`${viewerId}::bigint`),
  });
}

/**
 * The status's side of `visibleTo`, read once for a status many viewers ask about: its visibility,
 * author and mentioned accounts (`s` is a table alias). Columns `visibility`, `author_id` and
 * `mentioned` (bigint[]; a status mentions few accounts), for `visibleToGiven`.
 */
export function statusVisibilityFacts(s: string): SQL {
  const status = sql.raw(s);
  return sql`${status}.visibility as visibility, ${status}.account_id as author_id,
    array(select m.account_id from mentions m where m.status_id = ${status}.id) as mentioned`;
}

/**
 * `visibleTo` for a viewer, given the status's facts (`statusVisibilityFacts`, under alias `w`) and
 * whether the author blocks the viewer (`blockedByAuthor`, an SQL boolean: the streaming API
 * reads the author's blocks once per event, `accountsBlockedBy`). Per viewer it costs a follows
 * probe for a private post and nothing else.
 */
export function visibleToGiven(w: string, viewer: SQL, blockedByAuthor: SQL): SQL {
  const facts = sql.raw(w);
  return visibilityRule({
    visibility: sql`${facts}.visibility`,
    isAuthor: sql`${facts}.author_id = ${viewer}`,
    isMentioned: sql`${viewer} = any(${facts}.mentioned)`,
    followsAuthor: sql`exists (
      select 1 from follows f where f.account_id = ${viewer} and f.target_account_id = ${facts}.author_id)`,
    notBlockedByAuthor: sql`not ${blockedByAuthor}`,
  });
}
