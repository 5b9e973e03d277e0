/**
 * The moderation pages in a real Chromium, with the whole system: a moderator made with
 * `pnpm murmurctl` signs in on the website, opens the report queue, reads the report with the
 * reported post, suspends the account with a note (which resolves the report), and the suspended
 * account's API token stops at once. Every page is audited with axe-core.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { createStatus } from '@murmur/db/statuses';
import { adminAccountsById, fileReport, setAccountRole } from '@murmur/db/moderation';
import { upsertRemoteAccount } from '@murmur/db/federation';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import {
  createAccountFixture,
  createTestDatabase,
  FIXTURE_PASSWORD,
  remoteAccountFixture,
  type TestDatabase,
} from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityAudit } from './_accessibility.js';
import {
  API_SERVER,
  FRONTEND_SERVER,
  startService,
  stopService,
  waitForHealth,
} from './_system.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('moderation in a real browser', () => {
  let testDb: TestDatabase;
  let api: ChildProcess;
  let frontend: ChildProcess;
  let proxy: Server;
  let browser: Browser;
  let page: Page;
  let audit: AccessibilityAudit;
  let origin: string;
  const output: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const [apiPort, frontendPort, proxyPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    origin = `http://127.0.0.1:${proxyPort}`;
    const shared = {
      DATABASE_URL: testDb.url,
      PUBLIC_URL: origin,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    };
    api = startService(
      API_SERVER,
      { ...shared, API_PORT: String(apiPort), BCRYPT_COST: '10' },
      output,
    );
    frontend = startService(
      FRONTEND_SERVER,
      {
        ...shared,
        FRONTEND_PORT: String(frontendPort),
        API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
      },
      output,
    );
    proxy = await startDevProxy({
      port: proxyPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      frontendUrl: `http://127.0.0.1:${frontendPort}`,
    });
    const launching = chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    await Promise.all([
      waitForHealth(`http://127.0.0.1:${apiPort}/healthz`, api, output),
      waitForHealth(`http://127.0.0.1:${frontendPort}/healthz`, frontend, output),
    ]);
    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(10_000);
    audit = await AccessibilityAudit.attach(page);
  }, 120_000);

  afterEach(async () => {
    await audit.check();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    for (const child of [api, frontend]) await stopService(child);
    await testDb?.destroy();
  });

  it('a moderator made with murmurctl resolves a report by suspending the account, whose token stops at once', async () => {
    const database = testDb.database;
    const spammer = await createAccountFixture(database, { username: 'spammer' });
    const reporter = await createAccountFixture(database, { username: 'reporter' });
    const post = await createStatus(database, {
      accountId: spammer.id,
      text: 'Cheap watches here',
    });
    const report = await fileReport(database, {
      accountId: reporter.id,
      targetAccountId: spammer.id,
      statusIds: [post.id],
      comment: 'Nothing but adverts',
      category: 'spam',
    });
    const { application } = await registerApplication(database, {
      name: 'Phone app',
      redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
      scopes: ['read'],
    });
    const { accessToken } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: spammer.id,
      scopes: ['read'],
    });
    const verify = () =>
      fetch(`${origin}/api/v1/accounts/verify_credentials`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
    expect((await verify()).status).toBe(200);

    const { stdout } = await promisify(execFile)(
      'pnpm',
      [
        '--silent',
        'murmurctl',
        'accounts',
        'create',
        'mod',
        '--email',
        'mod@example.test',
        '--role',
        'moderator',
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: testDb.url, BCRYPT_COST: '10' } },
    );
    const password = /^Password: (\S+)$/m.exec(stdout)![1]!;

    await page.goto(`${origin}/auth/sign_in`);
    await page.getByLabel('Username or e-mail').fill('mod');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Moderation' })
      .click();
    await page.getByRole('heading', { name: 'Reports to review' }).waitFor();
    await page.getByRole('link', { name: `Report ${report.id}` }).click();
    await page.getByRole('heading', { name: `Report ${report.id}` }).waitFor();
    expect(await page.getByText('Nothing but adverts').isVisible()).toBe(true);
    expect(await page.getByText('Cheap watches here').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Unassign' }).waitFor();
    await page.getByLabel('Suspend').check();
    await page.getByLabel('Note (kept in the audit log)').fill('Spam only, no real posts');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect(await page.getByText('(suspended)').isVisible()).toBe(true);

    // The token stops at once, and the profile is gone.
    expect((await verify()).status).toBe(401);
    expect((await fetch(`${origin}/@spammer`)).status).toBe(404);

    await page
      .getByRole('navigation', { name: 'Moderation' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const suspendRow = page.getByRole('row').filter({ hasText: 'Spam only, no real posts' });
    expect(await suspendRow.getByRole('cell', { name: 'suspend', exact: true }).isVisible()).toBe(
      true,
    );
    expect(await page.getByRole('cell', { name: 'change_role' }).isVisible()).toBe(true);

    await page.goto(`${origin}/admin/accounts/${spammer.id}`);
    await page.getByRole('button', { name: 'Lift the suspension' }).click();
    await page.getByLabel('Suspend').waitFor();
    expect((await verify()).status).toBe(200);
  }, 180_000);

  it('a moderator blocks a server on the moderation pages, changes the block and lifts it', async () => {
    const database = testDb.database;
    const remote = await upsertRemoteAccount(
      database,
      remoteAccountFixture({ username: 'bot', domain: 'spam.example', displayName: 'Bot' }),
    );
    const remoteState = async () => {
      const [view] = await adminAccountsById(database.primary, [remote]);
      return { silenced: view?.silenced, suspended: view?.suspended };
    };
    const moderator = await createAccountFixture(database, { username: 'servermod' });
    await setAccountRole(database, {
      moderatorId: null,
      accountId: moderator.id,
      role: 'moderator',
    });

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const tab = await context.newPage();
    tab.setDefaultTimeout(20_000);
    const tabAudit = await AccessibilityAudit.attach(tab);
    try {
      await tab.goto(`${origin}/auth/sign_in`);
      await tab.getByLabel('Username or e-mail').fill('servermod');
      await tab.getByLabel('Password').fill(FIXTURE_PASSWORD);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Moderation' })
        .waitFor();
      await tab.goto(`${origin}/admin/reports`);
      await tab
        .getByRole('navigation', { name: 'Moderation' })
        .getByRole('link', { name: 'Blocked servers' })
        .click();
      await tab.getByRole('heading', { name: 'Blocked servers' }).waitFor();
      expect(await tab.getByText('No server is blocked.').isVisible()).toBe(true);

      await tab.getByLabel('Server (domain name)').fill('Spam.Example');
      await tab.getByLabel(/^Suspend:/).check();
      await tab.getByLabel('Reject its media').check();
      await tab.getByLabel('Public comment (shown with the public list)').fill('Spam only');
      await tab.getByRole('button', { name: 'Block server' }).click();
      const row = tab.getByRole('row').filter({ hasText: 'spam.example' });
      await row.getByRole('cell', { name: 'suspended', exact: true }).waitFor();
      expect(await row.getByRole('cell', { name: 'rejects media' }).isVisible()).toBe(true);
      expect(await remoteState()).toEqual({ silenced: false, suspended: true });

      await tab.getByLabel('Severity for spam.example').selectOption('silence');
      await tab.getByRole('button', { name: 'Change the block on spam.example' }).click();
      await row.getByRole('cell', { name: 'limited', exact: true }).waitFor();
      expect(await remoteState()).toEqual({ silenced: true, suspended: false });

      await tab.getByRole('button', { name: 'Lift the block on spam.example' }).click();
      await tab.getByText('No server is blocked.').waitFor();
      expect(await remoteState()).toEqual({ silenced: false, suspended: false });

      await tab
        .getByRole('navigation', { name: 'Moderation' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await tab.getByRole('heading', { name: 'Audit log' }).waitFor();
      for (const action of ['create_domain_block', 'update_domain_block', 'destroy_domain_block']) {
        const entry = tab.getByRole('row').filter({ hasText: action });
        expect(await entry.getByRole('cell', { name: 'Server spam.example' }).isVisible()).toBe(
          true,
        );
      }
      await tabAudit.check();
    } finally {
      await context.close();
    }
  }, 120_000);

  it('refuses the moderation pages to people who are not moderators', async () => {
    const response = await fetch(`${origin}/admin/reports`, { redirect: 'manual' });
    expect(response.status).toBe(303);
  });
});
