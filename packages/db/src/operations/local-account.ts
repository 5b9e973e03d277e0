/**
 * A local account as the rest of the system sees it, written by hand: what the services need of
 * their own people (profile, counters, moderation state, the owner's e-mail address), never the
 * password hash, nor the columns only remote accounts fill in (those are null here).
 */
import type { AccountRole } from '../schema/accounts.js';
import { accounts } from '../schema/index.js';

export interface LocalAccount {
  id: string;
  username: string;
  /** The owner's address: sign-in, e-mails, the owner's own settings. Shown to no one else. */
  email: string;
  displayName: string;
  note: string;
  emailOnMention: boolean;
  statusesCount: number;
  followersCount: number;
  followingCount: number;
  /** The UTC day of the latest status (`YYYY-MM-DD`), or null. */
  lastStatusAt: string | null;
  /** Storage keys of the processed avatar and header; null: the defaults. */
  avatarKey: string | null;
  headerKey: string | null;
  /** When the password last changed: sessions made before are told apart by it. */
  credentialsChangedAt: Date | null;
  locked: boolean;
  /** Null until the address is confirmed (the account cannot post or follow until then). */
  emailConfirmedAt: Date | null;
  role: AccountRole;
  suspendedAt: Date | null;
  silencedAt: Date | null;
  sensitizedAt: Date | null;
  disabledAt: Date | null;
  /** False while a sign-up waits for a moderator. */
  approved: boolean;
  registrationReason: string | null;
  createdAt: Date;
}

/** The columns a LocalAccount is read from (`select(LOCAL_ACCOUNT_COLUMNS)`, `returning(…)`). */
export const LOCAL_ACCOUNT_COLUMNS = {
  id: accounts.id,
  username: accounts.username,
  email: accounts.email,
  displayName: accounts.displayName,
  note: accounts.note,
  emailOnMention: accounts.emailOnMention,
  statusesCount: accounts.statusesCount,
  followersCount: accounts.followersCount,
  followingCount: accounts.followingCount,
  lastStatusAt: accounts.lastStatusAt,
  avatarKey: accounts.avatarKey,
  headerKey: accounts.headerKey,
  credentialsChangedAt: accounts.credentialsChangedAt,
  locked: accounts.locked,
  emailConfirmedAt: accounts.emailConfirmedAt,
  role: accounts.role,
  suspendedAt: accounts.suspendedAt,
  silencedAt: accounts.silencedAt,
  sensitizedAt: accounts.sensitizedAt,
  disabledAt: accounts.disabledAt,
  approved: accounts.approved,
  registrationReason: accounts.registrationReason,
  createdAt: accounts.createdAt,
} satisfies Record<keyof LocalAccount, unknown>;

/**
 * A row read with LOCAL_ACCOUNT_COLUMNS (and perhaps more) as a local account: only its columns
 * are kept. Every local account has an e-mail address; a remote one here is a bug, not a case.
 */
export function asLocalAccount(
  row: Omit<LocalAccount, 'email'> & { email: string | null },
): LocalAccount {
  if (row.email === null) {
    throw new Error(`account ${row.id} is remote where a local account was expected`);
  }
  const account = {} as Record<string, unknown>;
  for (const key of Object.keys(LOCAL_ACCOUNT_COLUMNS)) {
    account[key] = row[key as keyof typeof row];
  }
  return account as unknown as LocalAccount;
}
