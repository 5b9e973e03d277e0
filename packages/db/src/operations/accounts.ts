import { isFarBeyondLimit, isValidUsername } from '@murmur/text';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { DomainError } from '../errors.js';
import {
  checkPasswordPolicy,
  bcryptCostOf,
  dummyPasswordHash,
  effectiveBcryptCost,
  hashPassword,
  verifyPassword,
} from '../passwords.js';
import { accounts, oauthAccessTokens, webSessions } from '../schema/index.js';
import { isUniqueViolation, withTransaction } from '../transaction.js';
import { isSnowflakeId } from '../ids.js';
import { createEmailConfirmationToken } from './account-tokens.js';
import { authorizeAllFollowRequests } from './follow-requests.js';
import { asLocalAccount, LOCAL_ACCOUNT_COLUMNS, type LocalAccount } from './local-account.js';
import { newEvent, outboxInsert } from './outbox.js';

/** Only local accounts sign in, get e-mail and are found by a bare username. */
const isLocal = sql`${accounts.domain} is null`;

export interface PasswordOptions {
  /** bcrypt cost; raised to 10 when lower. */
  bcryptCost?: number;
}

const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

/** Whether `email` is an address sign-up accepts. */
export function isValidEmail(email: string): boolean {
  return email.length <= 320 && EMAIL_PATTERN.test(email);
}
export const MAX_DISPLAY_NAME_LENGTH = 30;
export const MAX_NOTE_LENGTH = 500;

export interface RegisterAccountInput {
  username: string;
  email: string;
  password: string;
  /** The request that caused this, carried into AccountRegistered. */
  requestId?: string | null;
  /**
   * The address must be confirmed before the account can post or follow: it starts unconfirmed and
   * a confirmation link is sent (EmailConfirmationRequested). Otherwise it is confirmed at once.
   */
  requireEmailConfirmation?: boolean;
  /** REGISTRATIONS_MODE=approval: the account cannot sign in until a moderator approves it. */
  approvalRequired?: boolean;
  /** Why the applicant wants to join, for the moderators (at most 1,000 characters). */
  reason?: string | null;
}

function validateRegistration(input: RegisterAccountInput): void {
  if (!isValidUsername(input.username)) {
    throw new DomainError(
      'InvalidUsername',
      'Username must be 1 to 30 characters: letters, digits and underscores only',
      'username',
    );
  }
  if (!isValidEmail(input.email)) {
    throw new DomainError('InvalidEmail', 'Email address is not valid', 'email');
  }
  checkPasswordPolicy(input.password);
  if (input.reason && [...input.reason].length > 1000) {
    throw new DomainError(
      'InvalidField',
      'Reason is too long (maximum is 1000 characters)',
      'reason',
    );
  }
}

/**
 * Signs a person up. Two sign-ups racing for one username (in any letter case) give one account and
 * one UsernameTaken error: the unique index on lower(username) decides.
 */
export async function registerAccount(
  database: Database,
  input: RegisterAccountInput,
  options: PasswordOptions = {},
): Promise<LocalAccount> {
  validateRegistration(input);
  const username = input.username;
  const email = input.email.trim();
  const taken = await database.primary
    .select({ username: accounts.username, email: accounts.email })
    .from(accounts)
    .where(
      and(
        isLocal,
        sql`(lower(${accounts.username}) = lower(${username}) or lower(${accounts.email}) = lower(${email}))`,
      ),
    )
    .limit(2);
  for (const row of taken) {
    if (row.username.toLowerCase() === username.toLowerCase()) {
      throw new DomainError('UsernameTaken', 'Username is already taken', 'username');
    }
    throw new DomainError('EmailTaken', 'Email address is already registered', 'email');
  }
  const passwordHash = await hashPassword(input.password, options.bcryptCost);
  try {
    return await withTransaction(database, async (tx) => {
      const [row] = await tx
        .insert(accounts)
        .values({
          username,
          email,
          passwordHash,
          ...(input.requireEmailConfirmation ? { emailConfirmedAt: null } : {}),
          approved: !input.approvalRequired,
          registrationReason: input.reason?.trim() || null,
        })
        .returning(LOCAL_ACCOUNT_COLUMNS);
      const event = newEvent(
        'AccountRegistered',
        { accountId: row!.id, username: row!.username, createdAt: row!.createdAt.toISOString() },
        input.requestId,
      );
      await tx.execute(outboxInsert([event]));
      if (input.requireEmailConfirmation) {
        await createEmailConfirmationToken(tx, { accountId: row!.id, requestId: input.requestId });
      }
      return asLocalAccount(row!);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'accounts_username_lower_key')) {
      throw new DomainError('UsernameTaken', 'Username is already taken', 'username');
    }
    if (isUniqueViolation(error, 'accounts_email_lower_key')) {
      throw new DomainError('EmailTaken', 'Email address is already registered', 'email');
    }
    throw error;
  }
}

/**
 * Checks a username-or-email and password. Returns null for any failure, and costs one bcrypt
 * comparison whether or not the account exists, so neither the answer nor its timing reveals which
 * accounts exist. Hashes made with a cost lower than the configured one are upgraded on success.
 */
export async function authenticate(
  database: Database,
  input: { login: string; password: string },
  options: PasswordOptions = {},
): Promise<LocalAccount | null> {
  const login = input.login.trim();
  const [account] = await database.primary
    .select({ ...LOCAL_ACCOUNT_COLUMNS, passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(
      and(
        isLocal,
        // A deleted account signs in no more, whoever knows its old password.
        isNull(accounts.deletedAt),
        login.includes('@')
          ? sql`lower(${accounts.email}) = lower(${login})`
          : sql`lower(${accounts.username}) = lower(${login})`,
      ),
    )
    .limit(1);
  if (!account?.passwordHash) {
    await verifyPassword(input.password, await dummyPasswordHash(options.bcryptCost));
    return null;
  }
  if (!(await verifyPassword(input.password, account.passwordHash))) return null;
  if (bcryptCostOf(account.passwordHash) < effectiveBcryptCost(options.bcryptCost)) {
    const passwordHash = await hashPassword(input.password, options.bcryptCost);
    await database.primary
      .update(accounts)
      .set({ passwordHash })
      .where(eq(accounts.id, account.id));
  }
  return asLocalAccount(account);
}

/**
 * Changes a password after checking the current one. Every other access token of the account is
 * revoked and every other website session ends; `keepAccessTokenId` is the one in use right now.
 */
export async function changePassword(
  database: Database,
  input: {
    accountId: string;
    currentPassword: string;
    newPassword: string;
    keepAccessTokenId?: string | null;
  },
  options: PasswordOptions = {},
): Promise<{ revokedTokens: number }> {
  const [account] = await database.primary
    .select({ passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(and(eq(accounts.id, input.accountId), isLocal))
    .limit(1);
  if (!account?.passwordHash) throw new DomainError('AccountNotFound', 'Record not found');
  if (!(await verifyPassword(input.currentPassword, account.passwordHash))) {
    throw new DomainError('InvalidPassword', 'Current password is not correct', 'current_password');
  }
  checkPasswordPolicy(input.newPassword);
  const passwordHash = await hashPassword(input.newPassword, options.bcryptCost);
  return withTransaction(database, async (tx) => {
    await tx
      .update(accounts)
      .set({ passwordHash, credentialsChangedAt: new Date() })
      .where(eq(accounts.id, input.accountId));
    const keep = input.keepAccessTokenId ?? null;
    const others = and(
      eq(oauthAccessTokens.accountId, input.accountId),
      isNull(oauthAccessTokens.revokedAt),
      keep ? ne(oauthAccessTokens.id, keep) : undefined,
    );
    const revoked = await tx
      .update(oauthAccessTokens)
      .set({ revokedAt: new Date() })
      .where(others)
      .returning({ id: oauthAccessTokens.id });
    await tx
      .delete(webSessions)
      .where(
        and(
          eq(webSessions.accountId, input.accountId),
          keep ? ne(webSessions.accessTokenId, keep) : undefined,
        ),
      );
    return { revokedTokens: revoked.length };
  });
}

export interface ProfileChanges {
  displayName?: string;
  note?: string;
  emailOnMention?: boolean;
  /** Follows become requests; unlocking authorizes the pending ones. */
  locked?: boolean;
}

/**
 * `clean(text)` when it holds at most `maxCharacters` characters, else null. A text far longer
 * than that is refused on its length alone, before any work on it.
 */
function cleanedWithin(
  text: string,
  maxCharacters: number,
  clean: (text: string) => string,
): string | null {
  if (isFarBeyondLimit(text, maxCharacters)) return null;
  const cleaned = clean(text);
  return [...cleaned].length > maxCharacters ? null : cleaned;
}

/**
 * Changes the profile; writes AccountUpdated, naming the public fields that changed, when one did.
 */
export async function updateProfile(
  database: Database,
  accountId: string,
  changes: ProfileChanges,
  options: { requestId?: string | null } = {},
): Promise<LocalAccount> {
  const values: Partial<Pick<LocalAccount, 'displayName' | 'note' | 'emailOnMention' | 'locked'>> =
    {};
  if (changes.displayName !== undefined) {
    const displayName = cleanedWithin(changes.displayName, MAX_DISPLAY_NAME_LENGTH, (text) =>
      text.replace(/[\p{Cc}]/gu, '').trim(),
    );
    if (displayName === null) {
      throw new DomainError(
        'InvalidField',
        `Display name is too long (maximum is ${MAX_DISPLAY_NAME_LENGTH} characters)`,
        'display_name',
      );
    }
    values.displayName = displayName;
  }
  if (changes.note !== undefined) {
    const note = cleanedWithin(changes.note, MAX_NOTE_LENGTH, (text) =>
      text
        .replace(/\r\n?/g, '\n')
        .replace(/[^\P{Cc}\n\t]/gu, '')
        .trimEnd(),
    );
    if (note === null) {
      throw new DomainError(
        'InvalidField',
        `Bio is too long (maximum is ${MAX_NOTE_LENGTH} characters)`,
        'note',
      );
    }
    values.note = note;
  }
  if (changes.emailOnMention !== undefined) values.emailOnMention = changes.emailOnMention;
  if (changes.locked !== undefined) values.locked = changes.locked;
  return withTransaction(database, async (tx) => {
    const [before] = await tx
      .select(LOCAL_ACCOUNT_COLUMNS)
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for('update')
      .limit(1);
    if (!before) throw new DomainError('AccountNotFound', 'Record not found');
    if (Object.keys(values).length === 0) return asLocalAccount(before);
    const [row] = await tx
      .update(accounts)
      .set(values)
      .where(eq(accounts.id, accountId))
      .returning(LOCAL_ACCOUNT_COLUMNS);
    // Only what others can see is an AccountUpdated (a mention e-mail setting is not).
    const changed = PUBLIC_PROFILE_FIELDS.filter((field) => before[field] !== row![field]);
    if (changed.length > 0) {
      await tx.execute(
        outboxInsert([newEvent('AccountUpdated', { accountId, changed }, options.requestId)]),
      );
    }
    if (before.locked && !row!.locked) {
      await authorizeAllFollowRequests(tx, accountId, options.requestId);
      const [counted] = await tx
        .select(LOCAL_ACCOUNT_COLUMNS)
        .from(accounts)
        .where(eq(accounts.id, accountId));
      return asLocalAccount(counted!);
    }
    return asLocalAccount(row!);
  });
}

/** The profile fields other people see; a change to one of them is an AccountUpdated. */
const PUBLIC_PROFILE_FIELDS = ['displayName', 'note', 'locked'] as const;

export async function findAccountById(
  executor: Executor,
  id: string,
): Promise<LocalAccount | null> {
  if (!isSnowflakeId(id)) return null;
  const [row] = await executor
    .select(LOCAL_ACCOUNT_COLUMNS)
    .from(accounts)
    .where(and(eq(accounts.id, id), isLocal))
    .limit(1);
  return row ? asLocalAccount(row) : null;
}

export async function findAccountByUsername(
  executor: Executor,
  username: string,
): Promise<LocalAccount | null> {
  if (!isValidUsername(username)) return null;
  const [row] = await executor
    .select(LOCAL_ACCOUNT_COLUMNS)
    .from(accounts)
    .where(and(isLocal, sql`lower(${accounts.username}) = lower(${username})`))
    .limit(1);
  return row ? asLocalAccount(row) : null;
}
