/// <reference lib="dom" />
/**
 * Accounts in a real Chromium against the whole system (API, website, worker, the one-origin proxy,
 * an SMTP sink): a person who forgot their password ("Forgot your password?" on the sign-in page,
 * the e-mail the worker sends, its link, a new password, signing in with it; the app token issued
 * before is refused), then locks the account in settings and answers follow requests; a new account confirms its
 * e-mail address before it can post. Every page is audited with axe-core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followAccount, relationships } from '@murmur/db/follows';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { startSmtpSink, type SmtpSink } from '@murmur/devkit/smtp-sink';
import { waitFor } from '@murmur/devkit/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityAudit } from './_accessibility.js';
import { startSystem, type RunningSystem } from './_system.js';

const NEW_PASSWORD = 'my memorable new passphrase';

/** The link to `path` in an e-mail, undoing quoted-printable soft breaks and `=3D`. */
function linkIn(raw: string, origin: string, path: string): string {
  const decoded = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  const match = new RegExp(`${origin}${path}\\?token=[A-Za-z0-9_%-]+`).exec(decoded);
  if (!match) throw new Error(`no ${path} link in the e-mail:\n${raw}`);
  return match[0];
}

describe('accounts: password reset, locking, e-mail confirmation', () => {
  let testDb: TestDatabase;
  let smtp: SmtpSink;
  let mediaDir: string;
  let system: RunningSystem;
  let browser: Browser;
  let page: Page;
  let audit: AccessibilityAudit;
  let origin: string;
  let rita: LocalAccount;
  let oldToken: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    smtp = await startSmtpSink();
    mediaDir = await mkdtemp(join(tmpdir(), 'murmur-reset-'));
    rita = await createAccountFixture(testDb.database, {
      username: 'rita',
      email: 'rita@example.test',
      displayName: 'Rita',
    });
    const { application } = await registerApplication(testDb.database, {
      name: 'Rita’s phone app',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    oldToken = (
      await issueAccessToken(testDb.database, {
        applicationId: application.id,
        accountId: rita.id,
        scopes: ['read'],
      })
    ).accessToken;
    const launching = chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    system = await startSystem({
      databaseUrl: testDb.url,
      mediaDir,
      workerEnv: { SMTP_URL: smtp.url },
    });
    origin = system.origin;
    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.setDefaultTimeout(10_000);
    audit = await AccessibilityAudit.attach(page);
  }, 120_000);

  afterEach(async () => {
    await audit.check();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await smtp?.close();
    await testDb?.destroy();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('gets the e-mail, follows its link, sets a new password and signs in with it', async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('E-mail').fill('Rita@Example.test');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();

    const mail = await waitFor(() => smtp.received.find((m) => m.envelopeTo.includes(rita.email)), {
      timeoutMs: 30_000,
      what: 'the reset e-mail',
    });
    expect(mail.headers.subject).toBe('Reset your password');
    const link = linkIn(mail.raw, origin, '/oauth/password/edit');

    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();

    // The app signed in before is signed out.
    const refused = await fetch(`${origin}/api/v1/accounts/verify_credentials`, {
      headers: { authorization: `Bearer ${oldToken}` },
    });
    expect(refused.status).toBe(401);

    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.getByLabel('Username or e-mail').fill('rita');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The link was single-use.
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    expect(smtp.received.filter((m) => m.envelopeTo.includes(rita.email))).toHaveLength(1);
  }, 90_000);

  it('locks the account in settings, then accepts one follow request and rejects another', async () => {
    // Signed in as rita by the test above.
    await page.goto(`${origin}/settings`);
    await page.getByLabel('Approve followers by hand').check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile was saved.').waitFor();
    expect(await page.getByLabel('Approve followers by hand').isChecked()).toBe(true);

    const friend = await createAccountFixture(testDb.database, { displayName: 'Quentin' });
    const stranger = await createAccountFixture(testDb.database, { displayName: 'Zed' });
    for (const asker of [friend, stranger]) {
      await followAccount(testDb.database, { accountId: asker.id, targetAccountId: rita.id });
    }
    await page.goto(`${origin}/follow_requests`);
    await page.getByRole('heading', { name: 'Follow requests' }).waitFor();
    await page.getByRole('button', { name: "Accept Quentin's follow request" }).click();
    await page.getByRole('button', { name: "Reject Zed's follow request" }).click();
    await page.getByText('Nobody is waiting for your answer').waitFor();
    const rows = await relationships(testDb.database.primary, rita.id, [friend.id, stranger.id]);
    expect(rows.map((r) => [r.followedBy, r.requestedBy])).toEqual([
      [true, false],
      [false, false],
    ]);
  }, 60_000);

  it('a new account confirms its e-mail address before it can post', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('Username').fill('nora');
    await page.getByLabel('E-mail').fill('nora@example.test');
    await page.getByLabel('Password').fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();

    // Posting is refused with the reason.
    await page.getByLabel('What’s on your mind?').fill('my first post');
    await page.getByRole('button', { name: 'Post' }).click();
    await page.getByText('Confirm your e-mail address first').waitFor();

    const mail = await waitFor(
      () => smtp.received.find((m) => m.envelopeTo.includes('nora@example.test')),
      { timeoutMs: 30_000, what: 'the confirmation e-mail' },
    );
    expect(mail.headers.subject).toBe('Confirm your e-mail address');
    await page.goto(linkIn(mail.raw, origin, '/oauth/confirmation'));
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByRole('heading', { name: 'Your e-mail address is confirmed' }).waitFor();

    await page.getByRole('link', { name: 'Go to Murmur' }).click();
    await page.getByLabel('What’s on your mind?').fill('my first post, confirmed');
    await page.getByRole('button', { name: 'Post' }).click();
    await page.waitForURL(`${origin}/home`);
    await page.getByRole('article').filter({ hasText: 'my first post, confirmed' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Confirm your e-mail address' }).count()).toBe(
      0,
    );
  }, 60_000);
});
