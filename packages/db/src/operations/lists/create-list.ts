import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { withTransaction } from '../../transaction.js';
import {
  LIST_COLUMNS,
  MAX_LISTS_PER_ACCOUNT,
  validListTitle,
  validRepliesPolicy,
  type ListView,
} from './list-rules.js';

/**
 * Creates a list (at most `MAX_LISTS_PER_ACCOUNT`, counted under a lock on the owner's account).
 * Only its owner can see it: no event.
 */
export async function createList(
  database: Database,
  input: { accountId: string; title: string; repliesPolicy?: string; exclusive?: boolean },
): Promise<ListView> {
  const title = validListTitle(input.title);
  const repliesPolicy = validRepliesPolicy(input.repliesPolicy ?? 'list');
  return withTransaction(database, async (tx) => {
    const [owner] = await queryRows<{ lists: number }>(
      tx,
      sql`select (select count(*)::int from lists where account_id = a.id) as lists
        from accounts a where a.id = ${input.accountId} for update`,
    );
    if ((owner?.lists ?? 0) >= MAX_LISTS_PER_ACCOUNT) {
      throw new DomainError(
        'InvalidField',
        `Validation failed: You can have at most ${MAX_LISTS_PER_ACCOUNT} lists`,
        'title',
      );
    }
    const [list] = await queryRows<ListView>(
      tx,
      sql`insert into lists (account_id, title, replies_policy, exclusive)
        values (${input.accountId}, ${title}, ${repliesPolicy}, ${input.exclusive ?? false})
        returning ${LIST_COLUMNS}`,
    );
    return list!;
  });
}
