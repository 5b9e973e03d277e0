/**
 * Accounts as every reader finds them: a suspended account is gone from profiles, lookups, lists,
 * search and statuses until it is unsuspended (moderation). The account itself keeps its row.
 */
import type { Executor } from '../client.js';
import { findAccountById, findAccountByUsername } from '../operations/accounts.js';
import type { LocalAccount } from '../operations/local-account.js';

function visible(account: LocalAccount | null): LocalAccount | null {
  return account && account.suspendedAt === null ? account : null;
}

export async function findVisibleAccountById(
  executor: Executor,
  id: string,
): Promise<LocalAccount | null> {
  return visible(await findAccountById(executor, id));
}

export async function findVisibleAccountByUsername(
  executor: Executor,
  username: string,
): Promise<LocalAccount | null> {
  return visible(await findAccountByUsername(executor, username));
}
