/// <reference lib="dom" />
/**
 * A person who forgot their password, in a real Chromium against the whole system (API, website,
 * worker, the one-origin proxy, an SMTP sink): "Forgot your password?" on the sign-in page, the
 * e-mail the worker sends, its link, a new password, signing in with it; the app token issued
 * before is refused. Every page is audited with axe-core.
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueAccessToken, registerApplication, type AccountRow } from '@murmur/db';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { startDevProxy } from '@murmur/devkit/proxy';
import { startSmtpSink, type SmtpSink } from '@murmur/devkit/smtp-sink';
import { waitFor } from '@murmur/devkit/testing';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityAudit } from './_accessibility.js';
import {
  API_SERVER,
  FRONTEND_SERVER,
  freePort,
  startService,
  stopService,
  waitForHealth,
  WORKER_SERVER,
} from './_system.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const NEW_PASSWORD = 'my memorable new passphrase';

/** The link of a text/plain part, undoing quoted-printable soft breaks and `=3D`. */
function resetLinkIn(raw: string, origin: string): string {
  const decoded = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  const match = new RegExp(`${origin}/oauth/password/edit\\?token=[A-Za-z0-9_%-]+`).exec(decoded);
  if (!match) throw new Error(`no reset link in the e-mail:\n${raw}`);
  return match[0];
}

describe('a person who forgot their password', () => {
  let testDb: TestDatabase;
  let smtp: SmtpSink;
  let mailDir: string;
  const topology = testTopology();
  const children: ChildProcess[] = [];
  const output: string[] = [];
  let proxy: Server;
  let browser: Browser;
  let page: Page;
  let audit: AccessibilityAudit;
  let origin: string;
  let rita: AccountRow;
  let oldToken: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    smtp = await startSmtpSink();
    mailDir = await mkdtemp(join(tmpdir(), 'murmur-reset-'));
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
    const [apiPort, frontendPort, proxyPort, workerPort] = await Promise.all([
      freePort(),
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
      MEDIA_STORAGE: 'local',
      MEDIA_DIR: mailDir,
    };
    const worker = startService(
      WORKER_SERVER,
      {
        ...shared,
        WORKER_PORT: String(workerPort),
        NATS_URL,
        NATS_STREAM: topology.streamName,
        NATS_SUBJECT_PREFIX: topology.subjectPrefix,
        SMTP_URL: smtp.url,
      },
      output,
    );
    const api = startService(
      API_SERVER,
      { ...shared, API_PORT: String(apiPort), BCRYPT_COST: '10' },
      output,
    );
    const frontend = startService(
      FRONTEND_SERVER,
      {
        ...shared,
        FRONTEND_PORT: String(frontendPort),
        API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
      },
      output,
    );
    children.push(worker, api, frontend);
    proxy = await startDevProxy({
      port: proxyPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      frontendUrl: `http://127.0.0.1:${frontendPort}`,
    });
    const launching = chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    await Promise.all([
      waitForHealth(`http://127.0.0.1:${apiPort}/healthz`, api, output),
      waitForHealth(`http://127.0.0.1:${frontendPort}/healthz`, frontend, output),
      waitForHealth(`http://127.0.0.1:${workerPort}/readyz`, worker, output),
    ]);
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
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    for (const child of children) await stopService(child);
    const nats = await connectToNats({ url: NATS_URL, name: 'reset-test-cleanup' });
    await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
    await nats.close();
    await smtp?.close();
    await testDb?.destroy();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
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
    const link = resetLinkIn(mail.raw, origin);

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
});
