import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { isSnowflakeId } from '../../ids.js';
import {
  LIST_COLUMNS,
  listNotFound,
  validListTitle,
  validRepliesPolicy,
  type ListView,
} from './list-rules.js';

/**
 * Renames a list or changes its replies policy or exclusivity (what is not given stays). The
 * change applies to what enters the list (and the home) from then on.
 */
export async function updateList(
  database: Database,
  input: {
    accountId: string;
    listId: string;
    title?: string;
    repliesPolicy?: string;
    exclusive?: boolean;
  },
): Promise<ListView> {
  const title = input.title === undefined ? null : validListTitle(input.title);
  const policy = input.repliesPolicy === undefined ? null : validRepliesPolicy(input.repliesPolicy);
  if (!isSnowflakeId(input.listId)) throw listNotFound();
  const [list] = await queryRows<ListView>(
    database.primary,
    sql`update lists set title = coalesce(${title}, title),
        replies_policy = coalesce(${policy}, replies_policy),
        exclusive = coalesce(${input.exclusive ?? null}::boolean, exclusive)
      where id = ${input.listId} and account_id = ${input.accountId}
      returning ${LIST_COLUMNS}`,
  );
  if (!list) throw listNotFound();
  return list;
}
