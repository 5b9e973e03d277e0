/**
 * Password resets and e-mail confirmations: a request writes a token row without a secret and its
 * event (nothing for an unknown address); the worker makes the token; a link works once, only the
 * newest one works, none works after it expires; a reset ends every token and session.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  authenticate,
  confirmEmail,
  findAccountById,
  findAccountTokenEmail,
  issueAccountTokenSecret,
  registerAccount,
  requestEmailConfirmation,
  requestPasswordReset,
  resetPassword,
} from '../src/accounts/index.js';
import {
  authenticateAccessToken,
  createWebSession,
  issueAccessToken,
  loadWebSession,
  registerApplication,
} from '../src/auth/index.js';
import { queryRows } from '../src/client.js';
import { createAccountFixture, outboxEvents, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
const NEW_PASSWORD = 'a brand new passphrase';

async function resetLinkFor(email: string): Promise<{ tokenId: string; token: string }> {
  await requestPasswordReset(testDb.database, { email, requestId: 'req-reset' });
  const events = await outboxEvents(testDb.database, ['PasswordResetRequested']);
  const tokenId = events.at(-1)!.data.tokenId;
  const token = await issueAccountTokenSecret(testDb.database, tokenId);
  return { tokenId, token: token! };
}

describe('password reset', () => {
  it('writes nothing for an unknown address, and no secret anywhere but the link', async () => {
    const before = (await outboxEvents(testDb.database, ['PasswordResetRequested'])).length;
    await requestPasswordReset(testDb.database, { email: 'nobody@example.test' });
    expect(await outboxEvents(testDb.database, ['PasswordResetRequested'])).toHaveLength(before);

    const account = await createAccountFixture(testDb.database);
    const { tokenId, token } = await resetLinkFor(account.email.toUpperCase());
    const email = await findAccountTokenEmail(testDb.database.primary, tokenId);
    expect(email).toMatchObject({ purpose: 'password_reset', account: { id: account.id } });
    const stored = await queryRows<{ text: string }>(
      testDb.database.primary,
      sql`select (select string_agg(t::text, ' ') from account_tokens t) ||
        (select string_agg(payload::text, ' ') from outbox_events) as text`,
    );
    expect(stored[0]!.text).not.toContain(token);
  });

  it('sets the new password once, and ends every token and website session', async () => {
    const account = await createAccountFixture(testDb.database);
    const { application } = await registerApplication(testDb.database, {
      name: 'Some app',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    const { accessToken, token: tokenRow } = await issueAccessToken(testDb.database, {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read'],
    });
    const { sessionId } = await createWebSession(testDb.database, {
      accountId: account.id,
      accessTokenId: tokenRow.id,
    });
    const { token } = await resetLinkFor(account.email);

    await expect(
      resetPassword(testDb.database, { token, newPassword: 'short' }),
    ).rejects.toMatchObject({ code: 'InvalidPassword' });
    const { revokedTokens } = await resetPassword(testDb.database, {
      token,
      newPassword: NEW_PASSWORD,
    });
    expect(revokedTokens).toBe(1);
    expect(await authenticateAccessToken(testDb.database, accessToken)).toBeNull();
    expect(await loadWebSession(testDb.database, sessionId)).toBeNull();
    expect(
      await authenticate(testDb.database, { login: account.username, password: NEW_PASSWORD }),
    ).toMatchObject({ id: account.id });

    await expect(
      resetPassword(testDb.database, { token, newPassword: 'yet another passphrase' }),
    ).rejects.toMatchObject({ code: 'InvalidAccountToken' });
  });

  it('only the newest link works, and no link works once expired', async () => {
    const account = await createAccountFixture(testDb.database);
    const first = await resetLinkFor(account.email);
    const second = await resetLinkFor(account.email);
    await expect(
      resetPassword(testDb.database, { token: first.token, newPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({ code: 'InvalidAccountToken' });
    expect(await findAccountTokenEmail(testDb.database.primary, first.tokenId)).toBeNull();

    await testDb.database.primary.execute(
      sql`update account_tokens set expires_at = now() - interval '1 second' where id = ${second.tokenId}`,
    );
    await expect(
      resetPassword(testDb.database, { token: second.token, newPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({ code: 'InvalidAccountToken' });
    expect(await issueAccountTokenSecret(testDb.database, second.tokenId)).toBeNull();
    for (const bad of ['', 'x', 'not a token at all!', 'A'.repeat(43)]) {
      await expect(
        resetPassword(testDb.database, { token: bad, newPassword: NEW_PASSWORD }),
      ).rejects.toMatchObject({ code: 'InvalidAccountToken' });
    }
  });
});

describe('e-mail confirmation', () => {
  it('a sign-up that needs confirmation starts unconfirmed, is confirmed by its link once', async () => {
    const account = await registerAccount(testDb.database, {
      username: 'unconfirmed_one',
      email: 'unconfirmed@example.test',
      password: 'long enough password',
      requireEmailConfirmation: true,
    });
    expect(account.emailConfirmedAt).toBeNull();
    // What the API's routes see of the caller (Mastodon's 403 for unconfirmed e-mail is theirs).
    const { application } = await registerApplication(testDb.database, {
      name: 'Some app',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    const { accessToken } = await issueAccessToken(testDb.database, {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read'],
    });
    expect((await authenticateAccessToken(testDb.database, accessToken))!.emailConfirmed).toBe(
      false,
    );
    const [requested] = (
      await outboxEvents(testDb.database, ['EmailConfirmationRequested'])
    ).filter((e) => e.data.accountId === account.id);
    expect(requested).toBeDefined();

    // A resend replaces the first link.
    expect(await requestEmailConfirmation(testDb.database, { accountId: account.id })).toBe(true);
    const events = (await outboxEvents(testDb.database, ['EmailConfirmationRequested'])).filter(
      (e) => e.data.accountId === account.id,
    );
    expect(events).toHaveLength(2);
    expect(await issueAccountTokenSecret(testDb.database, events[0]!.data.tokenId)).toBeNull();
    const token = (await issueAccountTokenSecret(testDb.database, events[1]!.data.tokenId))!;

    expect(await confirmEmail(testDb.database, token)).toBe(account.id);
    expect((await authenticateAccessToken(testDb.database, accessToken))!.emailConfirmed).toBe(
      true,
    );
    expect(
      (await findAccountById(testDb.database.primary, account.id))!.emailConfirmedAt,
    ).not.toBeNull();
    await expect(confirmEmail(testDb.database, token)).rejects.toMatchObject({
      code: 'InvalidAccountToken',
    });
    expect(await requestEmailConfirmation(testDb.database, { accountId: account.id })).toBe(false);
    expect(
      await findAccountTokenEmail(testDb.database.primary, events[1]!.data.tokenId),
    ).toBeNull();
  });

  it('fixtures and sign-ups without the requirement are confirmed', async () => {
    const fixture = await createAccountFixture(testDb.database);
    expect(fixture.emailConfirmedAt).not.toBeNull();
    const unconfirmed = await createAccountFixture(testDb.database, { emailConfirmedAt: null });
    expect(unconfirmed.emailConfirmedAt).toBeNull();
    const account = await registerAccount(testDb.database, {
      username: 'confirmed_one',
      email: 'confirmed@example.test',
      password: 'long enough password',
    });
    expect(account.emailConfirmedAt).not.toBeNull();
  });
});
