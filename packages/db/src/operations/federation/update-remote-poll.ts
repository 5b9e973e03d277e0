/**
 * A remote poll's counts as its server reports them (an incoming `Update` of a `Question`, which
 * Mastodon sends as votes arrive and when the poll ends): the options' votes, the voters and the
 * end replace what is stored. Only the author's own status, and only while the options are the
 * same ones (changed options are an edit of the status, which replaces the poll).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import type { RemotePollInput } from './receive-remote-status.js';

/** True when the stored poll took the new counts. */
export async function updateRemotePoll(
  database: Database,
  input: { accountId: string; uri: string; poll: RemotePollInput },
): Promise<boolean> {
  const { poll } = input;
  const votes = poll.options.map((_, i) => Math.max(0, Math.trunc(poll.optionVotes[i] ?? 0)));
  const rows = await queryRows(
    database.primary,
    sql`update polls p set option_votes = ${sql.param(votes)}::int[],
        votes_count = ${votes.reduce((sum, count) => sum + count, 0)},
        voters_count = ${Math.max(0, Math.trunc(poll.votersCount))},
        expires_at = ${poll.expiresAt}
      from statuses s
      where s.uri = ${input.uri} and s.account_id = ${input.accountId} and s.deleted_at is null
        and p.status_id = s.id
        and p.options = ${sql.param(poll.options.map((o) => o.slice(0, 200)))}::text[]
      returning p.id`,
  );
  return rows.length > 0;
}
