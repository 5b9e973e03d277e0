/// <reference lib="dom" />
/**
 * Live updates in a real Chromium: the public timeline is open, someone else posts, and the post
 * appears without a reload, announced in a polite live region, focus left where it was. The same for
 * a signed-in person's home timeline and notifications, which the website relays for its session
 * (`/live/<stream>`: the browser holds no API token). The whole road is real: the post's outbox
 * event relayed by the worker to NATS, heard by the API, streamed as server-sent events through the
 * website and the one-origin dev proxy, rendered by the website. Without JavaScript the same pages
 * work and open no stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createWebSession,
  issueAccessToken,
  registerApplication,
  revokeAccessTokenById,
} from '@murmur/db/auth';
import type { LocalAccount } from '@murmur/db/accounts';
import { followAccount } from '@murmur/db/follows';
import { muteAccount } from '@murmur/db/safety';
import { createStatus, favouriteStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const API_SERVER = new URL('../../api/src/server.ts', import.meta.url).pathname;
const FRONTEND_SERVER = new URL('../src/server.ts', import.meta.url).pathname;
const WORKER_SERVER = new URL('../../worker/src/server.ts', import.meta.url).pathname;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const topology = testTopology();
const output: string[] = [];
const children: ChildProcess[] = [];
let testDb: TestDatabase;
let proxy: Server;
let browser: Browser;
let origin: string;
let mediaDir: string;

function startService(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
    cwd: new URL('../', `file://${entry}`).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  children.push(child);
  return child;
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready:\n${output.join('')}`);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  mediaDir = await mkdtemp(join(tmpdir(), 'murmur-live-'));
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
    MEDIA_DIR: mediaDir,
    NATS_URL,
    NATS_SUBJECT_PREFIX: topology.subjectPrefix,
  };
  startService(WORKER_SERVER, {
    ...shared,
    WORKER_PORT: String(workerPort),
    NATS_STREAM: topology.streamName,
    MAIL_DIR: join(mediaDir, 'mail'),
  });
  startService(API_SERVER, { ...shared, API_PORT: String(apiPort), BCRYPT_COST: '10' });
  startService(FRONTEND_SERVER, {
    ...shared,
    FRONTEND_PORT: String(frontendPort),
    API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
  });
  proxy = await startDevProxy({
    port: proxyPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
  });
  const launching = chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  await Promise.all([
    waitFor(`http://127.0.0.1:${apiPort}/healthz`),
    waitFor(`http://127.0.0.1:${frontendPort}/healthz`),
    waitFor(`http://127.0.0.1:${workerPort}/readyz`),
  ]);
  browser = await launching;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  for (const child of children) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  const nats = await connectToNats({ url: NATS_URL, name: 'live-test-cleanup' });
  await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
  await nats.close();
  await testDb?.destroy();
  await rm(mediaDir, { recursive: true, force: true });
}, 60_000);

it('shows a post made by someone else on the open public timeline without reloading', async () => {
  const writer = await createAccountFixture(testDb.database, { username: 'writer' });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/`);
  await expect.poll(() => page.locator('[aria-live="polite"]').count()).toBe(1);
  // Focus is somewhere the reader chose; a new post must not take it.
  await page.getByRole('searchbox', { name: 'Search' }).focus();
  // The event stream is open once the API holds the connection; give the script a moment.
  await page.waitForTimeout(1_000);
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));

  await createStatus(testDb.database, { accountId: writer.id, text: 'Fresh off the press' });

  await expect
    .poll(() => page.getByText('Fresh off the press').count(), { timeout: 30_000 })
    .toBe(1);
  await expect
    .poll(() => page.locator('#live-announcer').textContent())
    .toBe('New post from @writer');
  expect(navigations).toEqual([]);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search');
  expect(errors).toEqual([]);
  await page.close();
}, 90_000);

/** A website session of `account`, as /auth/callback makes it: its cookie value and token. */
async function webSession(account: LocalAccount): Promise<{ sessionId: string; tokenId: string }> {
  const { application } = await registerApplication(testDb.database, {
    name: 'website (test)',
    website: null,
    redirectUris: [`${origin}/auth/callback`],
    scopes: ['read', 'write', 'follow'],
  });
  const { token } = await issueAccessToken(testDb.database, {
    applicationId: application.id,
    accountId: account.id,
    scopes: ['read', 'write', 'follow'],
  });
  const { sessionId } = await createWebSession(testDb.database, {
    accountId: account.id,
    accessTokenId: token.id,
  });
  return { sessionId, tokenId: token.id };
}

/** A browser context signed in as `account`: the website's session cookie. */
async function signedInContext(
  account: LocalAccount,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  const { sessionId } = await webSession(account);
  const context = await browser.newContext(options);
  await context.addCookies([{ name: 'murmur_session', value: sessionId, url: origin }]);
  return context;
}

it('shows a followed account’s new post on the signed-in home timeline without reloading, and nothing from others', async () => {
  const reader = await createAccountFixture(testDb.database, { username: 'reader' });
  const friend = await createAccountFixture(testDb.database, { username: 'friend' });
  const stranger = await createAccountFixture(testDb.database, { username: 'stranger' });
  await followAccount(testDb.database, { accountId: reader.id, targetAccountId: friend.id });
  const context = await signedInContext(reader);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const relayed = page.waitForResponse((response) => response.url().endsWith('/live/home'));
  await page.goto(`${origin}/home`);
  expect((await relayed).status()).toBe(200);
  await page.getByRole('searchbox', { name: 'Search' }).focus();
  await page.waitForTimeout(1_000);
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));

  // Not followed: never on this home timeline. Followers-only from a followed account: on it.
  await createStatus(testDb.database, { accountId: stranger.id, text: 'Not for your home' });
  await createStatus(testDb.database, {
    accountId: friend.id,
    text: 'Only my followers read this',
    visibility: 'private',
  });

  await expect
    .poll(() => page.getByText('Only my followers read this').count(), { timeout: 30_000 })
    .toBe(1);
  await expect
    .poll(() => page.locator('#live-announcer').textContent())
    .toBe('New post from @friend');
  expect(await page.getByText('Not for your home').count()).toBe(0);
  expect(navigations).toEqual([]);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search');
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

it('keeps what a signed-in visitor muted off the live public timeline (relayed for the session)', async () => {
  const muter = await createAccountFixture(testDb.database, { username: 'muter' });
  const noisy = await createAccountFixture(testDb.database, { username: 'noisy' });
  const calm = await createAccountFixture(testDb.database, { username: 'calm' });
  await muteAccount(testDb.database, { accountId: muter.id, targetAccountId: noisy.id });
  const context = await signedInContext(muter);
  const page = await context.newPage();
  const relayed = page.waitForResponse((response) => response.url().endsWith('/live/public'));
  await page.goto(`${origin}/`);
  expect((await relayed).status()).toBe(200);
  await page.waitForTimeout(1_000);

  await createStatus(testDb.database, { accountId: noisy.id, text: 'Muted shouting' });
  await createStatus(testDb.database, { accountId: calm.id, text: 'A calm remark' });

  await expect.poll(() => page.getByText('A calm remark').count(), { timeout: 30_000 }).toBe(1);
  expect(await page.getByText('Muted shouting').count()).toBe(0);
  await context.close();
}, 90_000);

it('shows a new notification on the open notifications page without reloading', async () => {
  const author = await createAccountFixture(testDb.database, { username: 'author' });
  const fan = await createAccountFixture(testDb.database, { username: 'fan' });
  const post = await createStatus(testDb.database, { accountId: author.id, text: 'Like this' });
  const context = await signedInContext(author);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const relayed = page.waitForResponse((response) =>
    response.url().endsWith('/live/notifications'),
  );
  await page.goto(`${origin}/notifications`);
  expect((await relayed).status()).toBe(200);
  expect(await page.getByText('No notifications yet.').count()).toBe(1);
  await page.getByRole('searchbox', { name: 'Search' }).focus();
  await page.waitForTimeout(1_000);

  await favouriteStatus(testDb.database, { accountId: fan.id, statusId: post.id });

  const item = page.getByRole('listitem').filter({ hasText: 'favourited your post' });
  await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(1);
  expect(await item.getByRole('link', { name: 'fan' }).count()).toBe(1);
  await expect
    .poll(() => page.locator('#live-announcer').textContent())
    .toBe('New notification: fan favourited your post');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search');
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

it('works without JavaScript: the pages show everything and open no stream', async () => {
  const quiet = await createAccountFixture(testDb.database, { username: 'quiet' });
  const loud = await createAccountFixture(testDb.database, { username: 'loud' });
  await followAccount(testDb.database, { accountId: quiet.id, targetAccountId: loud.id });
  await createStatus(testDb.database, { accountId: loud.id, text: 'Read me without scripts' });
  const context = await signedInContext(quiet, { javaScriptEnabled: false });
  const page = await context.newPage();
  const streams: string[] = [];
  page.on('request', (request) => {
    if (/\/live\/|\/api\/v1\/streaming/.test(request.url())) streams.push(request.url());
  });
  await page.goto(`${origin}/home`);
  await expect
    .poll(() => page.getByText('Read me without scripts').count(), { timeout: 30_000 })
    .toBe(1);
  const mine = await createStatus(testDb.database, { accountId: quiet.id, text: 'Mine' });
  await favouriteStatus(testDb.database, { accountId: loud.id, statusId: mine.id });
  // The notification is the worker's: reload (as one does without scripts) until it is there.
  await expect
    .poll(
      async () => {
        await page.goto(`${origin}/notifications`);
        return page.getByRole('listitem').filter({ hasText: 'favourited your post' }).count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  await page.goto(`${origin}/`);
  expect(await page.getByText('Read me without scripts').count()).toBe(1);
  expect(streams).toEqual([]);
  await context.close();
}, 90_000);

it('relays live updates only to a signed-in session', async () => {
  const response = await fetch(`${origin}/live/home`, { headers: { accept: 'text/event-stream' } });
  expect(response.status).toBe(401);
  const forged = await fetch(`${origin}/live/home`, {
    headers: { accept: 'text/event-stream', cookie: 'murmur_session=not-a-session' },
  });
  expect(forged.status).toBe(401);
  const unknown = await fetch(`${origin}/live/everything`, { headers: { cookie: 'x=y' } });
  expect(unknown.status).toBe(400);
  // The API refuses a made-up website session as it refuses a made-up token.
  const direct = await fetch(`${origin}/api/v1/streaming/user`, {
    headers: { 'x-murmur-web-session': 'not-a-session' },
  });
  expect(direct.status).toBe(401);
  expect(await direct.json()).toEqual({ error: 'The website session has ended' });
});

it('ends a relayed stream when the session’s token is revoked (signing out revokes it)', async () => {
  const leaver = await createAccountFixture(testDb.database, { username: 'leaver' });
  const poster = await createAccountFixture(testDb.database, { username: 'poster' });
  await followAccount(testDb.database, { accountId: leaver.id, targetAccountId: poster.id });
  const { sessionId, tokenId } = await webSession(leaver);
  const response = await fetch(`${origin}/live/home`, {
    headers: { cookie: `murmur_session=${sessionId}`, accept: 'text/event-stream' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const received: string[] = [];
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      received.push(Buffer.from(value).toString('utf8'));
    }
  })();
  // Live: a post of an account the session's person follows arrives through the relay.
  await createStatus(testDb.database, { accountId: poster.id, text: 'Before leaving' });
  await expect
    .poll(() => received.join('').includes('Before leaving'), { timeout: 30_000 })
    .toBe(true);

  await revokeAccessTokenById(testDb.database, tokenId);
  // The next event finds the token revoked: the API ends the stream, and the website's relay with it.
  await createStatus(testDb.database, { accountId: poster.id, text: 'After leaving' });
  await Promise.race([
    ended,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the stream did not end')), 30_000),
    ),
  ]);
  expect(received.join('')).not.toContain('After leaving');
}, 90_000);
