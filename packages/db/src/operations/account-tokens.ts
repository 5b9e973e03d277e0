/**
 * Single-use, expiring e-mail links: password resets and e-mail confirmations.
 *
 * The request (an operation here) writes an `account_tokens` row without a secret and its event in
 * one transaction. The worker, when it handles the event and has claimed the e-mail in the ledger,
 * calls `issueAccountTokenSecret`: a fresh random token is made, its SHA-256 stored on the row and
 * the token returned for the link. So the raw token exists only in the e-mail: never in the outbox,
 * the event stream, the database or a log. Using a link (`resetPassword`, `confirmEmail`) spends it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { checkPasswordPolicy, hashPassword } from '../passwords.js';
import {
  accounts,
  accountTokens,
  oauthAccessTokens,
  webSessions,
  type AccountTokenPurpose,
} from '../schema/index.js';
import { isUniqueViolation, withTransaction } from '../transaction.js';
import { newEvent, outboxInsert } from './outbox.js';
import { isValidEmail, type PasswordOptions } from './accounts.js';

/** How long a password reset link works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
/** How long an e-mail confirmation link works. */
export const EMAIL_CONFIRMATION_TTL_MS = 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A token as it reaches us in a link: base64url, 43 characters for 32 bytes. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

function invalidToken(purpose: AccountTokenPurpose): DomainError {
  return new DomainError(
    'InvalidAccountToken',
    purpose === 'password_reset'
      ? 'This password reset link is invalid, was already used or has expired. Ask for a new one.'
      : 'This confirmation link is invalid, was already used or has expired. Ask for a new one.',
    'token',
  );
}

/**
 * Writes a new token row for the account and its event, replacing (expiring) the account's earlier
 * unused tokens of the same purpose: only the newest link works, as Devise does.
 */
async function createToken(
  executor: Executor,
  input: {
    accountId: string;
    purpose: AccountTokenPurpose;
    ttlMs: number;
    requestId?: string | null;
  },
): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    executor,
    sql`with expired as (
        update account_tokens set expires_at = least(expires_at, now())
        where account_id = ${input.accountId} and purpose = ${input.purpose} and used_at is null
          and expires_at > now()
      )
      insert into account_tokens (account_id, purpose, expires_at)
      values (${input.accountId}, ${input.purpose},
        now() + ${`${Math.round(input.ttlMs)} milliseconds`}::interval)
      returning id::text as id`,
  );
  const event =
    input.purpose === 'password_reset'
      ? newEvent(
          'PasswordResetRequested',
          { accountId: input.accountId, tokenId: row!.id },
          input.requestId,
        )
      : newEvent(
          'EmailConfirmationRequested',
          { accountId: input.accountId, tokenId: row!.id },
          input.requestId,
        );
  await executor.execute(outboxInsert([event]));
  return row!.id;
}

/**
 * Someone asks for a password reset link for `email`. When an account has that address, a token
 * row and PasswordResetRequested are written (the worker sends the e-mail); otherwise nothing.
 * The caller answers the same either way, so the answer never tells whether an address is
 * registered.
 */
export async function requestPasswordReset(
  database: Database,
  input: { email: string; requestId?: string | null; ttlMs?: number },
): Promise<void> {
  const email = input.email.trim();
  if (email === '' || email.length > 320) return;
  await withTransaction(database, async (tx) => {
    const [account] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(sql`lower(${accounts.email}) = lower(${email})`)
      .limit(1);
    if (!account) return;
    await createToken(tx, {
      accountId: account.id,
      purpose: 'password_reset',
      ttlMs: input.ttlMs ?? PASSWORD_RESET_TTL_MS,
      requestId: input.requestId,
    });
  });
}

/**
 * A new confirmation link for an account whose address is not confirmed yet (sign-up writes the
 * first one with `registerAccount`), to `email` when given (the unconfirmed address is corrected
 * first, as Mastodon's resend allows). False, changing nothing, when the address is confirmed
 * already.
 */
export async function requestEmailConfirmation(
  database: Database,
  input: { accountId: string; email?: string; requestId?: string | null; ttlMs?: number },
): Promise<boolean> {
  try {
    return await writeEmailConfirmationRequest(database, input);
  } catch (error) {
    // Two accounts racing for the same new address: the unique index decides.
    if (isUniqueViolation(error, 'accounts_email_lower_key')) {
      throw new DomainError('EmailTaken', 'Email address is already registered', 'email');
    }
    throw error;
  }
}

async function writeEmailConfirmationRequest(
  database: Database,
  input: { accountId: string; email?: string; requestId?: string | null; ttlMs?: number },
): Promise<boolean> {
  const email = input.email?.trim();
  if (email !== undefined && !isValidEmail(email)) {
    throw new DomainError('InvalidEmail', 'Email address is not valid', 'email');
  }
  return withTransaction(database, async (tx) => {
    const [account] = await tx
      .select({ confirmedAt: accounts.emailConfirmedAt, email: accounts.email })
      .from(accounts)
      .where(eq(accounts.id, input.accountId))
      .for('update')
      .limit(1);
    if (!account) throw new DomainError('AccountNotFound', 'Record not found');
    if (account.confirmedAt !== null) return false;
    if (email !== undefined && email.toLowerCase() !== (account.email ?? '').toLowerCase()) {
      const [taken] = await tx
        .select({ id: accounts.id })
        .from(accounts)
        .where(sql`lower(${accounts.email}) = lower(${email})`)
        .limit(1);
      if (taken)
        throw new DomainError('EmailTaken', 'Email address is already registered', 'email');
      await tx.update(accounts).set({ email }).where(eq(accounts.id, input.accountId));
    }
    await createToken(tx, {
      accountId: input.accountId,
      purpose: 'email_confirmation',
      ttlMs: input.ttlMs ?? EMAIL_CONFIRMATION_TTL_MS,
      requestId: input.requestId,
    });
    return true;
  });
}

/** The first confirmation link, inside sign-up's transaction. */
export async function createEmailConfirmationToken(
  tx: Executor,
  input: { accountId: string; requestId?: string | null },
): Promise<void> {
  await createToken(tx, {
    accountId: input.accountId,
    purpose: 'email_confirmation',
    ttlMs: EMAIL_CONFIRMATION_TTL_MS,
    requestId: input.requestId,
  });
}

/** What the e-mail carrying a token's link needs. */
export interface AccountTokenEmail {
  tokenId: string;
  purpose: AccountTokenPurpose;
  expiresAt: Date;
  account: { id: string; username: string; displayName: string; email: string };
}

/**
 * For the worker: the e-mail of token `tokenId`, or null when there is nothing to send any more
 * (the token was used, replaced or expired, the address was confirmed meanwhile, or the account is
 * gone).
 */
export async function findAccountTokenEmail(
  executor: Executor,
  tokenId: string,
): Promise<AccountTokenEmail | null> {
  const [row] = await queryRows<{
    purpose: AccountTokenPurpose;
    expiresAt: Date | string;
    accountId: string;
    username: string;
    displayName: string;
    email: string;
  }>(
    executor,
    sql`select t.purpose, t.expires_at as "expiresAt", a.id::text as "accountId", a.username,
        a.display_name as "displayName", a.email
      from account_tokens t join accounts a on a.id = t.account_id
      where t.id = ${tokenId} and t.used_at is null and t.expires_at > now()
        and (t.purpose <> 'email_confirmation' or a.email_confirmed_at is null)`,
  );
  if (!row) return null;
  return {
    tokenId,
    purpose: row.purpose,
    expiresAt: new Date(row.expiresAt),
    account: {
      id: row.accountId,
      username: row.username,
      displayName: row.displayName,
      email: row.email,
    },
  };
}

/**
 * For the worker, after it claimed the e-mail: makes the token of row `tokenId`, stores its hash
 * (replacing one from an earlier attempt whose e-mail was clearly not sent) and returns it for the
 * link. Null when the row can no longer be used.
 */
export async function issueAccountTokenSecret(
  database: Database,
  tokenId: string,
): Promise<string | null> {
  const token = randomBytes(32).toString('base64url');
  const updated = await database.primary
    .update(accountTokens)
    .set({ tokenHash: hashToken(token) })
    .where(
      and(
        eq(accountTokens.id, tokenId),
        isNull(accountTokens.usedAt),
        sql`${accountTokens.expiresAt} > now()`,
      ),
    )
    .returning({ id: accountTokens.id });
  return updated.length > 0 ? token : null;
}

/** The account a usable token of `purpose` belongs to, or null. */
export async function findAccountTokenOwner(
  executor: Executor,
  token: string,
  purpose: AccountTokenPurpose,
): Promise<string | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await queryRows<{ accountId: string }>(
    executor,
    sql`select account_id::text as "accountId" from account_tokens
      where token_hash = ${hashToken(token)} and purpose = ${purpose}
        and used_at is null and expires_at > now()`,
  );
  return row?.accountId ?? null;
}

/** Spends the token inside `tx`; the account id, or InvalidAccountToken. */
async function spendToken(
  tx: Executor,
  token: string,
  purpose: AccountTokenPurpose,
): Promise<string> {
  if (!TOKEN_PATTERN.test(token)) throw invalidToken(purpose);
  const [spent] = await queryRows<{ accountId: string }>(
    tx,
    sql`update account_tokens set used_at = now()
      where token_hash = ${hashToken(token)} and purpose = ${purpose}
        and used_at is null and expires_at > now()
      returning account_id::text as "accountId"`,
  );
  if (!spent) throw invalidToken(purpose);
  return spent.accountId;
}

/**
 * Sets a new password with a reset link's token (the sign-up password policy applies). The token
 * is spent, and every access token and website session of the account ends: whoever had the old
 * password is signed out everywhere.
 */
export async function resetPassword(
  database: Database,
  input: { token: string; newPassword: string },
  options: PasswordOptions = {},
): Promise<{ accountId: string; revokedTokens: number }> {
  if ((await findAccountTokenOwner(database.primary, input.token, 'password_reset')) === null) {
    throw invalidToken('password_reset');
  }
  checkPasswordPolicy(input.newPassword);
  const passwordHash = await hashPassword(input.newPassword, options.bcryptCost);
  return withTransaction(database, async (tx) => {
    const accountId = await spendToken(tx, input.token, 'password_reset');
    const now = new Date();
    await tx
      .update(accounts)
      .set({ passwordHash, credentialsChangedAt: now })
      .where(eq(accounts.id, accountId));
    const revoked = await tx
      .update(oauthAccessTokens)
      .set({ revokedAt: now })
      .where(and(eq(oauthAccessTokens.accountId, accountId), isNull(oauthAccessTokens.revokedAt)))
      .returning({ id: oauthAccessTokens.id });
    await tx.delete(webSessions).where(eq(webSessions.accountId, accountId));
    return { accountId, revokedTokens: revoked.length };
  });
}

/** Confirms the address with a confirmation link's token; returns the account id. */
export async function confirmEmail(database: Database, token: string): Promise<string> {
  return withTransaction(database, async (tx) => {
    const accountId = await spendToken(tx, token, 'email_confirmation');
    await tx
      .update(accounts)
      .set({ emailConfirmedAt: sql`coalesce(${accounts.emailConfirmedAt}, now())` })
      .where(eq(accounts.id, accountId));
    return accountId;
  });
}
