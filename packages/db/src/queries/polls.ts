import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { visibleTo } from '../operations/visibility.js';
import type { PollView } from './views.js';

/**
 * The poll `p` as JSON in the shape of `PollView` (dates as text), with the viewer's own choices
 * (null without a viewer: one index probe with one).
 */
function pollJson(viewerId: string | null): SQL {
  const own =
    viewerId === null
      ? sql`null::json`
      : sql`(select coalesce(json_agg(v.choice order by v.choice), '[]'::json) from poll_votes v
          where v.poll_id = p.id and v.account_id = ${viewerId})`;
  return sql`json_build_object('id', p.id::text, 'options', p.options,
    'optionVotes', p.option_votes, 'multiple', p.multiple, 'hideTotals', p.hide_totals,
    'votesCount', p.votes_count, 'votersCount', p.voters_count, 'expiresAt', p.expires_at,
    'authorId', p.account_id::text, 'ownVotes', ${own})`;
}

/** The poll of status `s` as JSON, or null: a column of the status hydration. */
export function statusPollJson(viewerId: string | null): SQL {
  return sql`(select ${pollJson(viewerId)} from polls p where p.status_id = s.id)`;
}

export type PollRowJson = Omit<PollView, 'expiresAt'> & { expiresAt: string | Date };

export function toPollView(row: PollRowJson): PollView {
  return { ...row, expiresAt: new Date(row.expiresAt) };
}

/** A poll whose status the viewer may see, or null. */
export async function findVisiblePoll(
  executor: Executor,
  pollId: string,
  viewerId: string | null,
): Promise<PollView | null> {
  if (!isSnowflakeId(pollId)) return null;
  const [row] = await queryRows<{ poll: PollRowJson }>(
    executor,
    sql`select ${pollJson(viewerId)} as "poll"
      from polls p join statuses on statuses.id = p.status_id
      where p.id = ${pollId} and statuses.deleted_at is null and ${visibleTo(viewerId)}`,
  );
  return row ? toPollView(row.poll) : null;
}

/** The poll of a status (its id and option titles), or null: how a remote vote names its choice. */
export async function findPollOfStatus(
  executor: Executor,
  statusId: string,
): Promise<{ id: string; options: string[] } | null> {
  if (!isSnowflakeId(statusId)) return null;
  const [row] = await queryRows<{ id: string; options: string[] }>(
    executor,
    sql`select p.id::text as "id", p.options from polls p where p.status_id = ${statusId}`,
  );
  return row ?? null;
}
