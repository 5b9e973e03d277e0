/**
 * Website sessions. The browser's cookie carries a 256-bit random id; only its SHA-256 is stored, so
 * a copy of the table opens no session. A session holds the OAuth access token the website obtained
 * at sign-in: when that token is revoked (settings, API, password change) the session ends with it.
 * Sessions end after an idle period and, whatever the activity, after an absolute lifetime.
 */
import { randomBytes } from 'node:crypto';
import { eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts, oauthAccessTokens, webSessions } from '../schema/index.js';
import type { AccountRole } from '../roles.js';
import { hashCredential } from './oauth.js';

/** A website session as its callers use it (the hash of its id stays here). */
export interface WebSession {
  accountId: string;
  /** The access token the website obtained at sign-in; revoking it ends the session. */
  accessTokenId: string;
  /** The secret the session's CSRF tokens are derived from. */
  csrfSecret: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

const SESSION_COLUMNS = {
  accountId: webSessions.accountId,
  accessTokenId: webSessions.accessTokenId,
  csrfSecret: webSessions.csrfSecret,
  createdAt: webSessions.createdAt,
  lastSeenAt: webSessions.lastSeenAt,
  expiresAt: webSessions.expiresAt,
} satisfies Record<keyof WebSession, unknown>;

export interface WebSessionTimeouts {
  /** The session ends when it has not been used for this long. */
  idleTimeoutMs: number;
  /** The session ends this long after sign-in, used or not. */
  absoluteTimeoutMs: number;
}

/** One week idle, thirty days absolute (documented in the frontend's README). */
export const DEFAULT_WEB_SESSION_TIMEOUTS: WebSessionTimeouts = {
  idleTimeoutMs: 7 * 24 * 60 * 60 * 1000,
  absoluteTimeoutMs: 30 * 24 * 60 * 60 * 1000,
};

/** `last_seen_at` is written at most this often per session, so reading pages does not write each time. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface SessionAccount {
  id: string;
  username: string;
  displayName: string;
  note: string;
  emailOnMention: boolean;
  /** For the moderation pages' link; the pages read the role again. */
  role: AccountRole;
  /** The address is confirmed (an unconfirmed account cannot post or follow). */
  emailConfirmed: boolean;
}

export interface LoadedWebSession {
  session: WebSession;
  account: SessionAccount;
  /** The scopes of the session's access token. */
  scopes: string[];
}

/** Creates a session for a signed-in account; returns the raw id for the cookie (never stored). */
export async function createWebSession(
  database: Database,
  input: { accountId: string; accessTokenId: string; now?: Date; timeouts?: WebSessionTimeouts },
): Promise<{ sessionId: string; session: WebSession }> {
  const now = input.now ?? new Date();
  const timeouts = input.timeouts ?? DEFAULT_WEB_SESSION_TIMEOUTS;
  const sessionId = randomBytes(32).toString('base64url');
  const [session] = await database.primary
    .insert(webSessions)
    .values({
      idHash: hashCredential(sessionId),
      accountId: input.accountId,
      accessTokenId: input.accessTokenId,
      csrfSecret: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + timeouts.absoluteTimeoutMs),
    })
    .returning(SESSION_COLUMNS);
  return { sessionId, session: session! };
}

/**
 * The live session for a cookie value, with its account, or null. A session that is past its idle or
 * absolute timeout, or whose access token was revoked, is deleted on the way.
 */
export async function loadWebSession(
  database: Database,
  sessionId: string,
  options: { now?: Date; timeouts?: WebSessionTimeouts } = {},
): Promise<LoadedWebSession | null> {
  if (sessionId.length === 0 || sessionId.length > 100) return null;
  const now = options.now ?? new Date();
  const timeouts = options.timeouts ?? DEFAULT_WEB_SESSION_TIMEOUTS;
  const idHash = hashCredential(sessionId);
  const [row] = await database.primary
    .select({
      session: SESSION_COLUMNS,
      revokedAt: oauthAccessTokens.revokedAt,
      scopes: oauthAccessTokens.scopes,
      // Suspended or disabled by a moderator: the session ends (the token lookup says the same).
      mayUseAccount: sql<boolean>`${accounts.suspendedAt} is null and ${accounts.disabledAt} is null`,
      account: {
        id: accounts.id,
        username: accounts.username,
        displayName: accounts.displayName,
        note: accounts.note,
        emailOnMention: accounts.emailOnMention,
        role: accounts.role,
        emailConfirmed: sql<boolean>`${accounts.emailConfirmedAt} is not null`,
      },
    })
    .from(webSessions)
    .innerJoin(oauthAccessTokens, eq(oauthAccessTokens.id, webSessions.accessTokenId))
    .innerJoin(accounts, eq(accounts.id, webSessions.accountId))
    .where(eq(webSessions.idHash, idHash))
    .limit(1);
  if (!row) return null;
  const { session } = row;
  const idleSince = now.getTime() - session.lastSeenAt.getTime();
  if (
    row.revokedAt !== null ||
    !row.mayUseAccount ||
    session.expiresAt <= now ||
    idleSince >= timeouts.idleTimeoutMs
  ) {
    await database.primary.delete(webSessions).where(eq(webSessions.idHash, idHash));
    return null;
  }
  if (idleSince >= LAST_SEEN_RESOLUTION_MS) {
    await database.primary
      .update(webSessions)
      .set({ lastSeenAt: now })
      .where(eq(webSessions.idHash, idHash));
    session.lastSeenAt = now;
  }
  return { session, account: row.account, scopes: row.scopes };
}

/** Ends a session (sign-out). Returns the access token id it held, to revoke it, or null. */
export async function deleteWebSession(
  database: Database,
  sessionId: string,
): Promise<string | null> {
  const [deleted] = await database.primary
    .delete(webSessions)
    .where(eq(webSessions.idHash, hashCredential(sessionId)))
    .returning({ accessTokenId: webSessions.accessTokenId });
  return deleted?.accessTokenId ?? null;
}

/** Removes sessions past their absolute or idle timeout; returns how many. */
export async function deleteExpiredWebSessions(
  database: Database,
  options: { now?: Date; timeouts?: WebSessionTimeouts } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const timeouts = options.timeouts ?? DEFAULT_WEB_SESSION_TIMEOUTS;
  const deleted = await database.primary
    .delete(webSessions)
    .where(
      or(
        lt(webSessions.expiresAt, now),
        lt(webSessions.lastSeenAt, new Date(now.getTime() - timeouts.idleTimeoutMs)),
        sql`${webSessions.accessTokenId} in (select id from oauth_access_tokens where revoked_at is not null)`,
      ),
    )
    .returning({ idHash: webSessions.idHash });
  return deleted.length;
}
