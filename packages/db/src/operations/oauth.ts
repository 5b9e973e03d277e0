/**
 * The OAuth 2.0 authorization server's storage rules. Every credential (client secret, authorization
 * code, access token) is a CSPRNG string handed out once and stored only as its SHA-256 hash, so a
 * copy of the database grants nothing. Codes are single use, atomically: a replayed code is refused
 * and every token issued from it is revoked (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { DomainError } from '../errors.js';
import {
  accounts,
  accountWriteMarks,
  oauthAccessTokens,
  oauthApplications,
  oauthAuthorizationCodes,
} from '../schema/index.js';
import { withTransaction } from '../transaction.js';
import { isSnowflakeId } from '../ids.js';
import { READ_YOUR_WRITES_MARK_WINDOW_MS } from './mark-account-wrote.js';
import { newEvent, outboxInsert } from './outbox.js';

/** An OAuth client as the API shows and checks it; the hash of its secret never leaves here. */
export interface OAuthApplication {
  id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  /** The project's own website: trusted redirect URI, no consent screen. */
  firstParty: boolean;
  createdAt: Date;
}

const APPLICATION_COLUMNS = {
  id: oauthApplications.id,
  name: oauthApplications.name,
  website: oauthApplications.website,
  redirectUris: oauthApplications.redirectUris,
  scopes: oauthApplications.scopes,
  clientId: oauthApplications.clientId,
  firstParty: oauthApplications.firstParty,
  createdAt: oauthApplications.createdAt,
} satisfies Record<keyof OAuthApplication, unknown>;

/** An access token just issued (its bearer string is handed out beside it, once; never its hash). */
export interface IssuedAccessToken {
  id: string;
  applicationId: string;
  /** Null for a client-credentials (app) token. */
  accountId: string | null;
  scopes: string[];
  createdAt: Date;
}

const ISSUED_TOKEN_COLUMNS = {
  id: oauthAccessTokens.id,
  applicationId: oauthAccessTokens.applicationId,
  accountId: oauthAccessTokens.accountId,
  scopes: oauthAccessTokens.scopes,
  createdAt: oauthAccessTokens.createdAt,
} satisfies Record<keyof IssuedAccessToken, unknown>;

/** SHA-256 of a credential, hex. Credentials carry ≥ 128 bits of entropy, so no salt is needed. */
export function hashCredential(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

function randomCredential(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const PKCE_S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)). */
export function pkceS256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

// ---------------------------------------------------------------------------------------------
// Applications

export async function registerApplication(
  database: Database,
  input: {
    name: string;
    website?: string | null;
    redirectUris: string[];
    scopes: string[];
    firstParty?: boolean;
  },
): Promise<{ application: OAuthApplication; clientSecret: string }> {
  const clientSecret = randomCredential(32);
  const [application] = await database.primary
    .insert(oauthApplications)
    .values({
      name: input.name,
      website: input.website ?? null,
      redirectUris: input.redirectUris,
      scopes: input.scopes,
      clientId: randomCredential(32),
      clientSecretHash: hashCredential(clientSecret),
      firstParty: input.firstParty ?? false,
    })
    .returning(APPLICATION_COLUMNS);
  return { application: application!, clientSecret };
}

/**
 * Creates or updates the website's own client from configuration (idempotent, safe when several
 * replicas start at once).
 */
export async function ensureFirstPartyApplication(
  database: Database,
  input: {
    clientId: string;
    clientSecret: string;
    name: string;
    redirectUris: string[];
    scopes: string[];
  },
): Promise<OAuthApplication> {
  const values = {
    name: input.name,
    redirectUris: input.redirectUris,
    scopes: input.scopes,
    clientSecretHash: hashCredential(input.clientSecret),
    firstParty: true,
  };
  const [row] = await database.primary
    .insert(oauthApplications)
    .values({ ...values, clientId: input.clientId })
    .onConflictDoUpdate({ target: oauthApplications.clientId, set: values })
    .returning(APPLICATION_COLUMNS);
  return row!;
}

/** A client id as clients send it (they are 43 characters here; longer ones are not ours). */
const isClientIdShaped = (clientId: string) => clientId.length > 0 && clientId.length <= 200;

/** The application `where` picks, with the hash of its secret (for `verifyClientCredentials`). */
async function applicationWhere(executor: Executor, where: SQL) {
  const [found] = await executor
    .select({ application: APPLICATION_COLUMNS, secretHash: oauthApplications.clientSecretHash })
    .from(oauthApplications)
    .where(where)
    .limit(1);
  return found ?? null;
}

export async function findApplicationByClientId(
  executor: Executor,
  clientId: string,
): Promise<OAuthApplication | null> {
  if (!isClientIdShaped(clientId)) return null;
  return (
    (await applicationWhere(executor, eq(oauthApplications.clientId, clientId)))?.application ??
    null
  );
}

export async function findApplicationById(
  executor: Executor,
  id: string,
): Promise<OAuthApplication | null> {
  if (!isSnowflakeId(id)) return null;
  return (await applicationWhere(executor, eq(oauthApplications.id, id)))?.application ?? null;
}

/** The client, when the secret matches (constant-time comparison of the hashes); else null. */
export async function verifyClientCredentials(
  executor: Executor,
  clientId: string,
  clientSecret: string,
): Promise<OAuthApplication | null> {
  const found = isClientIdShaped(clientId)
    ? await applicationWhere(executor, eq(oauthApplications.clientId, clientId))
    : null;
  const presented = hashCredential(clientSecret);
  // Compare against something even for an unknown client, so both paths cost the same.
  const stored = found?.secretHash ?? hashCredential('unknown-client');
  return sameHash(presented, stored) && found ? found.application : null;
}

// ---------------------------------------------------------------------------------------------
// Authorization codes

export async function createAuthorizationCode(
  database: Database,
  input: {
    applicationId: string;
    accountId: string;
    redirectUri: string;
    scopes: string[];
    codeChallenge: string | null;
    codeChallengeMethod: 'S256' | null;
    ttlMs: number;
  },
): Promise<string> {
  if (input.codeChallenge !== null) {
    if (input.codeChallengeMethod !== 'S256' || !PKCE_S256_CHALLENGE.test(input.codeChallenge)) {
      throw new DomainError(
        'InvalidGrant',
        'code_challenge must be an S256 challenge',
        'code_challenge',
      );
    }
  } else if (input.codeChallengeMethod !== null) {
    throw new DomainError(
      'InvalidGrant',
      'code_challenge_method without code_challenge',
      'code_challenge',
    );
  }
  const code = randomCredential(32);
  await database.primary.insert(oauthAuthorizationCodes).values({
    codeHash: hashCredential(code),
    applicationId: input.applicationId,
    accountId: input.accountId,
    redirectUri: input.redirectUri,
    scopes: input.scopes,
    codeChallenge: input.codeChallenge,
    codeChallengeMethod: input.codeChallengeMethod,
    expiresAt: new Date(Date.now() + input.ttlMs),
  });
  return code;
}

type CodeRow = typeof oauthAuthorizationCodes.$inferSelect;

/** Why a code that was just claimed still does not buy a token; null when it does. */
function bindingFailure(
  code: CodeRow,
  input: { applicationId: string; redirectUri: string; codeVerifier: string | null },
): string | null {
  if (code.applicationId !== input.applicationId) return 'The code was issued to another client';
  if (code.redirectUri !== input.redirectUri)
    return 'redirect_uri does not match the authorization request';
  if (code.codeChallenge === null) {
    // PKCE downgrade protection (RFC 9700 §4.8.2).
    return input.codeVerifier === null
      ? null
      : 'code_verifier sent for a code issued without code_challenge';
  }
  if (input.codeVerifier === null) return 'code_verifier is required';
  if (!PKCE_VERIFIER.test(input.codeVerifier)) return 'code_verifier is malformed';
  return sameHash(pkceS256Challenge(input.codeVerifier), code.codeChallenge)
    ? null
    : 'code_verifier does not match code_challenge';
}

/**
 * Exchanges a code for an access token. The claim is one conditional UPDATE, so of any number of
 * concurrent redemptions exactly one wins. A code that fails a binding check (client, redirect URI,
 * PKCE) is burnt all the same. Redeeming an already redeemed code revokes every token it produced.
 */
export async function redeemAuthorizationCode(
  database: Database,
  input: {
    code: string;
    applicationId: string;
    redirectUri: string;
    codeVerifier: string | null;
    requestId?: string | null;
  },
): Promise<{ accessToken: string; token: IssuedAccessToken }> {
  const codeHash = hashCredential(input.code);
  const outcome = await withTransaction(database, async (tx) => {
    const [claimed] = await tx
      .update(oauthAuthorizationCodes)
      .set({ redeemedAt: sql`now()` })
      .where(
        and(
          eq(oauthAuthorizationCodes.codeHash, codeHash),
          isNull(oauthAuthorizationCodes.redeemedAt),
          sql`${oauthAuthorizationCodes.expiresAt} > now()`,
        ),
      )
      .returning();
    if (!claimed) return { kind: 'unclaimed' as const };
    const failure = bindingFailure(claimed, input);
    if (failure) return { kind: 'rejected' as const, message: failure };
    const issued = await insertAccessToken(tx, {
      applicationId: claimed.applicationId,
      accountId: claimed.accountId,
      scopes: claimed.scopes,
      authorizationCodeId: claimed.id,
      requestId: input.requestId,
    });
    return { kind: 'issued' as const, issued };
  });
  if (outcome.kind === 'issued') return outcome.issued;
  if (outcome.kind === 'rejected') throw new DomainError('InvalidGrant', outcome.message);

  const [existing] = await database.primary
    .select({ id: oauthAuthorizationCodes.id, redeemedAt: oauthAuthorizationCodes.redeemedAt })
    .from(oauthAuthorizationCodes)
    .where(eq(oauthAuthorizationCodes.codeHash, codeHash))
    .limit(1);
  if (existing?.redeemedAt) {
    await database.primary
      .update(oauthAccessTokens)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(oauthAccessTokens.authorizationCodeId, existing.id),
          isNull(oauthAccessTokens.revokedAt),
        ),
      );
    throw new DomainError('InvalidGrant', 'The authorization code has already been used');
  }
  throw new DomainError('InvalidGrant', 'The authorization code is invalid or expired');
}

// ---------------------------------------------------------------------------------------------
// Access tokens

/**
 * Inserts an access token; one issued to a person is a sign-in, so SignedIn is written with it, in
 * the same statement (the `logins` statistic counts them).
 */
async function insertAccessToken(
  executor: Executor,
  input: {
    applicationId: string;
    accountId: string | null;
    scopes: string[];
    authorizationCodeId?: string | null;
    requestId?: string | null;
  },
): Promise<{ accessToken: string; token: IssuedAccessToken }> {
  const accessToken = randomCredential(32);
  const [token] = await executor
    .insert(oauthAccessTokens)
    .values({
      tokenHash: hashCredential(accessToken),
      applicationId: input.applicationId,
      accountId: input.accountId,
      scopes: input.scopes,
      authorizationCodeId: input.authorizationCodeId ?? null,
    })
    .returning(ISSUED_TOKEN_COLUMNS);
  if (input.accountId !== null) {
    const signedIn = newEvent(
      'SignedIn',
      {
        accountId: input.accountId,
        applicationId: input.applicationId,
        via: input.authorizationCodeId ? 'authorization_code' : 'registration',
      },
      input.requestId,
    );
    await executor.execute(outboxInsert([signedIn]));
  }
  return { accessToken, token: token! };
}

/**
 * A new access token (client credentials grant, or a sign-up through the API: a token for a person
 * comes with its SignedIn event, in one transaction).
 */
export async function issueAccessToken(
  database: Database,
  input: {
    applicationId: string;
    accountId: string | null;
    scopes: string[];
    authorizationCodeId?: string | null;
    requestId?: string | null;
  },
): Promise<{ accessToken: string; token: IssuedAccessToken }> {
  if (input.accountId === null) return insertAccessToken(database.primary, input);
  return withTransaction(database, (tx) => insertAccessToken(tx, input));
}

function prepareTokenLookup(executor: Executor) {
  return executor
    .select({
      tokenId: oauthAccessTokens.id,
      accountId: oauthAccessTokens.accountId,
      scopes: oauthAccessTokens.scopes,
      lastUsedAt: oauthAccessTokens.lastUsedAt,
      applicationId: oauthAccessTokens.applicationId,
      username: accounts.username,
      emailConfirmed: sql<boolean>`${accounts.emailConfirmedAt} is not null`,
      wroteRecently: sql<boolean>`coalesce(${accountWriteMarks.wroteAt} > now() - ${sql.raw(`interval '${READ_YOUR_WRITES_MARK_WINDOW_MS} milliseconds'`)}, false)`,
    })
    .from(oauthAccessTokens)
    .leftJoin(accounts, eq(accounts.id, oauthAccessTokens.accountId))
    .leftJoin(accountWriteMarks, eq(accountWriteMarks.accountId, oauthAccessTokens.accountId))
    .where(
      and(
        eq(oauthAccessTokens.tokenHash, sql.placeholder('tokenHash')),
        isNull(oauthAccessTokens.revokedAt),
        // A suspended, disabled or unapproved account's tokens stop working at once (moderation).
        sql`(${oauthAccessTokens.accountId} is null or (${accounts.suspendedAt} is null
          and ${accounts.disabledAt} is null and ${accounts.approved}))`,
      ),
    )
    .limit(1)
    .prepare('murmur_authenticate_access_token_view');
}

/** Built once per executor: every authenticated request runs it. */
const tokenLookups = new WeakMap<Executor, ReturnType<typeof prepareTokenLookup>>();

function tokenLookup(executor: Executor) {
  let lookup = tokenLookups.get(executor);
  if (!lookup) {
    lookup = prepareTokenLookup(executor);
    tokenLookups.set(executor, lookup);
  }
  return lookup;
}

/**
 * What a valid access token says about the caller: what routes need to authorize a request, and
 * nothing more (no password hash, no e-mail; routes that need the account read it).
 */
export interface AuthenticatedToken {
  tokenId: string;
  /** Null for an app-level token (client credentials). */
  accountId: string | null;
  /** The person signed in with the token, when there is one. */
  account: { id: string; username: string } | null;
  applicationId: string;
  scopes: string[];
  lastUsedAt: Date | null;
  /**
   * Whether the account wrote through the API in the last few seconds (any API process): its reads
   * then go to the primary (see `markAccountWrote`).
   */
  wroteRecently: boolean;
  /** The account's e-mail address is confirmed (false for app tokens: there is no account). */
  emailConfirmed: boolean;
}

/**
 * The caller behind a token, or null when the token is unknown or revoked, or its account is
 * suspended, disabled or not approved yet. Records `last_used_at`,
 * at most once a minute per token so that busy clients do not write on every request.
 */
export async function authenticateAccessToken(
  database: Database,
  rawToken: string,
): Promise<AuthenticatedToken | null> {
  if (rawToken.length === 0 || rawToken.length > 512) return null;
  const [row] = await tokenLookup(database.primary).execute({
    tokenHash: hashCredential(rawToken),
  });
  if (!row) return null;
  let lastUsedAt = row.lastUsedAt;
  const lastUsed = lastUsedAt?.getTime();
  if (lastUsed === undefined || Date.now() - lastUsed >= 60_000) {
    const [touched] = await database.primary
      .update(oauthAccessTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(oauthAccessTokens.id, row.tokenId),
          sql`(${oauthAccessTokens.lastUsedAt} is null or ${oauthAccessTokens.lastUsedAt} < now() - interval '1 minute')`,
        ),
      )
      .returning({ lastUsedAt: oauthAccessTokens.lastUsedAt });
    if (touched) lastUsedAt = touched.lastUsedAt;
  }
  return {
    tokenId: row.tokenId,
    accountId: row.accountId,
    account:
      row.accountId !== null && row.username !== null
        ? { id: row.accountId, username: row.username }
        : null,
    applicationId: row.applicationId,
    scopes: row.scopes,
    lastUsedAt,
    wroteRecently: row.wroteRecently,
    emailConfirmed: row.accountId !== null && row.emailConfirmed === true,
  };
}

/** RFC 7009 revocation by the client that holds the token. */
export async function revokeAccessToken(
  database: Database,
  input: { token: string; applicationId: string },
): Promise<'revoked' | 'not_found' | 'other_client'> {
  if (input.token.length === 0 || input.token.length > 512) return 'not_found';
  const [row] = await database.primary
    .select({ id: oauthAccessTokens.id, applicationId: oauthAccessTokens.applicationId })
    .from(oauthAccessTokens)
    .where(eq(oauthAccessTokens.tokenHash, hashCredential(input.token)))
    .limit(1);
  if (!row) return 'not_found';
  if (row.applicationId !== input.applicationId) return 'other_client';
  await revokeAccessTokenById(database, row.id);
  return 'revoked';
}

export async function revokeAccessTokenById(database: Database, tokenId: string): Promise<void> {
  await database.primary
    .update(oauthAccessTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(oauthAccessTokens.id, tokenId), isNull(oauthAccessTokens.revokedAt)));
}

export interface AuthorizedApplication {
  application: { id: string; name: string; website: string | null };
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The applications holding a live token for an account, for the "authorized apps" settings page. */
export async function listAuthorizedApplications(
  executor: Executor,
  accountId: string,
): Promise<AuthorizedApplication[]> {
  const rows = await executor
    .select({
      application: {
        id: oauthApplications.id,
        name: oauthApplications.name,
        website: oauthApplications.website,
      },
      scopes: oauthAccessTokens.scopes,
      createdAt: oauthAccessTokens.createdAt,
      lastUsedAt: oauthAccessTokens.lastUsedAt,
    })
    .from(oauthAccessTokens)
    .innerJoin(oauthApplications, eq(oauthApplications.id, oauthAccessTokens.applicationId))
    .where(and(eq(oauthAccessTokens.accountId, accountId), isNull(oauthAccessTokens.revokedAt)))
    .orderBy(oauthAccessTokens.createdAt);
  const byApplication = new Map<string, AuthorizedApplication>();
  for (const row of rows) {
    const entry = byApplication.get(row.application.id);
    if (!entry) {
      byApplication.set(row.application.id, { ...row, scopes: [...new Set(row.scopes)] });
      continue;
    }
    entry.scopes = [...new Set([...entry.scopes, ...row.scopes])];
    if (row.lastUsedAt && (!entry.lastUsedAt || row.lastUsedAt > entry.lastUsedAt))
      entry.lastUsedAt = row.lastUsedAt;
  }
  return [...byApplication.values()];
}

/** Revokes every live token one account gave one application; returns how many. */
export async function revokeApplicationForAccount(
  database: Database,
  input: { accountId: string; applicationId: string },
): Promise<number> {
  const revoked = await database.primary
    .update(oauthAccessTokens)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(oauthAccessTokens.accountId, input.accountId),
        eq(oauthAccessTokens.applicationId, input.applicationId),
        isNull(oauthAccessTokens.revokedAt),
      ),
    )
    .returning({ id: oauthAccessTokens.id });
  return revoked.length;
}
