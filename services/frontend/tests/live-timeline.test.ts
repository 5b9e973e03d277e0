/// <reference lib="dom" />
/**
 * Live updates in a real Chromium: the public timeline is open, someone else posts, and the post
 * appears without a reload, announced in a polite live region, focus left where it was. The whole
 * road is real: the post's outbox event relayed by the worker to NATS, heard by the API, streamed
 * as server-sent events through the one-origin dev proxy, rendered by the website.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { connectToNats } from '@murmur/events/jetstream';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
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
