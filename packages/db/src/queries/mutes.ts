import { sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { muteInForce } from './exclusions.js';
import { hydrateAccounts } from './hydrate.js';
import { selectPage, type Page } from './pagination.js';
import type { AccountView } from './views.js';

export interface MutedAccount {
  account: AccountView;
  /** When the mute ends by itself (Mastodon's `mute_expires_at`); null: never. */
  expiresAt: Date | null;
}

export interface MutedAccountsPage {
  accounts: MutedAccount[];
  /** Mute ids of the first and last entries (the `Link` header's cursors). */
  firstCursor: string | null;
  lastCursor: string | null;
}

/** The accounts an account mutes now (expired mutes left out), most recently muted first. */
export async function mutedAccounts(
  executor: Executor,
  accountId: string,
  page: Page,
): Promise<MutedAccountsPage> {
  const ordered = await selectPage<{ cursor: string; accountId: string; expiresAt: string | null }>(
    executor,
    sql`select m.id::text as cursor, m.target_account_id::text as "accountId",
        m.expires_at as "expiresAt"
      from mutes m`,
    sql`m.id`,
    [sql`m.account_id = ${accountId}`, muteInForce('m')],
    page,
  );
  const accounts = await hydrateAccounts(
    executor,
    ordered.map((r) => r.accountId),
  );
  const expiry = new Map(ordered.map((r) => [r.accountId, r.expiresAt]));
  return {
    accounts: accounts.map((account) => {
      const expiresAt = expiry.get(account.id);
      return { account, expiresAt: expiresAt ? new Date(expiresAt) : null };
    }),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}
