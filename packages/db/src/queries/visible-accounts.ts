/**
 * Accounts as every reader finds them: a suspended account is gone from profiles, lookups, lists,
 * search and statuses until it is unsuspended (moderation). The account itself keeps its row.
 */
import type { Executor } from '../client.js';
import { findAccountById, findAccountByUsername, type AccountRow } from '../operations/accounts.js';

function visible(account: AccountRow | null): AccountRow | null {
  return account && account.suspendedAt === null ? account : null;
}

export async function findVisibleAccountById(
  executor: Executor,
  id: string,
): Promise<AccountRow | null> {
  return visible(await findAccountById(executor, id));
}

export async function findVisibleAccountByUsername(
  executor: Executor,
  username: string,
): Promise<AccountRow | null> {
  return visible(await findAccountByUsername(executor, username));
}
