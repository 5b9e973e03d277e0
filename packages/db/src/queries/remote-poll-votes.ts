import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';

/** A local account's vote in another server's poll, as its `Create(Note)` needs it. */
export interface RemotePollVote {
  voter: { id: string; username: string };
  /** The poll's status (its ActivityPub id) and its remote author. */
  questionUri: string;
  authorUri: string;
  /** The author's own inbox: a vote is addressed to the author alone. */
  authorInbox: string;
  /** The titles of the chosen options. */
  choices: string[];
}

/**
 * The vote, when it is a local account's in a remote poll; null otherwise (a local poll, a remote
 * voter, a poll or account gone).
 */
export async function findRemotePollVote(
  executor: Executor,
  input: { pollId: string; accountId: string; choices: readonly number[] },
): Promise<RemotePollVote | null> {
  if (!isSnowflakeId(input.pollId) || !isSnowflakeId(input.accountId)) return null;
  const [row] = await queryRows<RemotePollVote>(
    executor,
    sql`select json_build_object('id', voter.id::text, 'username', voter.username) as "voter",
        s.uri as "questionUri", author.uri as "authorUri", author.inbox_url as "authorInbox",
        array(select p.options[i + 1] from unnest(${sql.param([...input.choices])}::int[]) as c(i))
          as "choices"
      from polls p
      join statuses s on s.id = p.status_id and s.deleted_at is null and s.uri is not null
      join accounts author on author.id = p.account_id and author.domain is not null
      join accounts voter on voter.id = ${input.accountId} and voter.domain is null
      where p.id = ${input.pollId}`,
  );
  return row ?? null;
}
