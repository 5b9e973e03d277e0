/**
 * The whole system in a real Chromium: the API (OAuth server) and the website as child processes,
 * the one-origin dev proxy in front. A person signs up, posts, replies, favourites and signs out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { createStatus } from '@murmur/db';
import { removeTopology, testTopology } from '@murmur/events/testing';
import { connectToNats } from '@murmur/events/jetstream';
import { photoJpeg } from '@murmur/media/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { countCharacters } from '@murmur/text';
import { startDevProxy } from '@murmur/devkit/proxy';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const API_SERVER = new URL('../../api/src/server.ts', import.meta.url).pathname;
const FRONTEND_SERVER = new URL('../src/server.ts', import.meta.url).pathname;
const WORKER_SERVER = new URL('../../worker/src/server.ts', import.meta.url).pathname;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const apiMissing = !existsSync(API_SERVER);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startService(entry: string, env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
    cwd: new URL('../', `file://${entry}`).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  return child;
}

async function waitForHealth(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited:\n${output.join('')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy:\n${output.join('')}`);
}

describe.skipIf(apiMissing)(
  'the website in a real browser (skipped only when services/api/src/server.ts is missing)',
  () => {
    let testDb: TestDatabase;
    let api: ChildProcess;
    let frontend: ChildProcess;
    let worker: ChildProcess;
    let mediaDir: string;
    const topology = testTopology();
    let proxy: Server;
    let browser: Browser;
    let page: Page;
    let origin: string;
    const output: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      testDb = await createTestDatabase();
      const bob = await createAccountFixture(testDb.database, {
        username: 'bob',
        displayName: 'Bob Builder',
      });
      await createStatus(testDb.database, { accountId: bob.id, text: 'Can we fix it? #builders' });
      const [apiPort, frontendPort, proxyPort, workerPort] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      origin = `http://127.0.0.1:${proxyPort}`;
      mediaDir = await mkdtemp(join(tmpdir(), 'murmur-browser-media-'));
      const shared = {
        DATABASE_URL: testDb.url,
        PUBLIC_URL: origin,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        MEDIA_STORAGE: 'local',
        MEDIA_DIR: mediaDir,
      };
      // The worker processes the photos posted from the compose form.
      worker = startService(
        WORKER_SERVER,
        {
          ...shared,
          WORKER_PORT: String(workerPort),
          NATS_URL,
          NATS_STREAM: topology.streamName,
          NATS_SUBJECT_PREFIX: topology.subjectPrefix,
          MAIL_DIR: join(mediaDir, 'mail'),
        },
        output,
      );
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
      const launching = chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      await Promise.all([
        waitForHealth(`http://127.0.0.1:${apiPort}/healthz`, api, output),
        waitForHealth(`http://127.0.0.1:${frontendPort}/healthz`, frontend, output),
        waitForHealth(`http://127.0.0.1:${workerPort}/readyz`, worker, output),
      ]);
      browser = await launching;
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      page.setDefaultTimeout(5_000);
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      mkdirSync(SCREENSHOTS, { recursive: true });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
      for (const child of [api, frontend, worker]) {
        if (child && child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
      }
      const nats = await connectToNats({ url: NATS_URL, name: 'browser-test-cleanup' });
      await removeTopology(await jetstreamManager(nats), topology).catch(() => {});
      await nats.close();
      await testDb?.destroy();
      if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
    });

    const shot = (name: string) =>
      page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

    it('sign up, post with a mention, reply, favourite, sign out, read without an account', async () => {
      await page.goto(`${origin}/`);
      await expect(page.getByRole('heading', { name: 'Public posts' }).isVisible()).resolves.toBe(
        true,
      );
      await shot('public-signed-out');

      // Sign up on the OAuth server's page, then land back on the website signed in.
      await page.getByRole('link', { name: 'Sign up' }).first().click();
      await page.getByLabel('Username').fill('carol');
      await page.getByLabel('E-mail').fill('carol@example.test');
      await page.getByLabel('Password').fill('a long enough passphrase');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(`${origin}/`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();

      // The live counter (compose.js) follows the server's rules: a URL counts 23.
      const compose = page.getByLabel('What’s on your mind?');
      const first =
        'Hello @bob! https://example.com/a/very/long/path/that/is/long. Café 👩‍👩‍👧 @x@remote.example #firstpost';
      await compose.fill(first);
      await expect(page.locator('#compose-counter').textContent()).resolves.toBe(
        `${500 - countCharacters(first)} characters left`,
      );
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${origin}/home`);
      const post = page.getByRole('article').filter({ hasText: 'Hello @bob!' });
      await expect(post.getByRole('link', { name: '@bob' }).getAttribute('href')).resolves.toBe(
        '/@bob',
      );
      await shot('home');

      await page.goto(`${origin}/`);
      await expect(page.getByText('Hello @bob!').isVisible()).resolves.toBe(true);
      await page.goto(`${origin}/@carol`);
      await expect(page.getByRole('heading', { name: 'carol' }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('Hello @bob!').isVisible()).resolves.toBe(true);
      await shot('profile');

      // Reply on the post's page.
      await page
        .getByRole('article')
        .filter({ hasText: 'Hello @bob!' })
        .locator('a.permalink')
        .click();
      await page.getByLabel('Reply to @carol').fill('@carol replying to myself');
      await page.getByRole('button', { name: 'Reply', exact: true }).click();
      await page.getByText('replying to myself').first().waitFor();

      // Favourite Bob's post from the public timeline.
      await page.goto(`${origin}/`);
      const bobs = page.getByRole('article').filter({ hasText: 'Can we fix it?' });
      await bobs.getByRole('button', { name: 'Favourite (0 favourites)' }).click();
      await page
        .getByRole('article')
        .filter({ hasText: 'Can we fix it?' })
        .getByRole('button', { name: 'Unfavourite (1 favourites)' })
        .waitFor();

      // Hostile text stays text and runs nothing.
      await page
        .getByLabel('What’s on your mind?')
        .fill(
          '<script>window.__pwned=1;alert(1)</script> <img src=x onerror="alert(2)"> javascript:alert(3)',
        );
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${origin}/home`);
      await expect(
        page
          .getByText('<script>window.__pwned=1;alert(1)</script>', { exact: false })
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      await expect(
        page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
      ).resolves.toBeUndefined();
      expect(await page.locator('main img[src="x"]').count()).toBe(0);

      await page.goto(
        `${origin}/@carol/${(await page.getByRole('article').first().locator('a.permalink').getAttribute('href'))!.split('/').pop()}`,
      );
      await shot('post');
      await page.goto(`${origin}/settings`);
      await expect(
        page.getByRole('heading', { name: 'Authorized apps' }).isVisible(),
      ).resolves.toBe(true);
      await shot('settings');
      await page.goto(`${origin}/statistics`);
      await expect(page.locator('svg[role="img"]').count()).resolves.toBe(6);
      await shot('statistics');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${origin}/home`);
      await shot('home-phone');
      await page.setViewportSize({ width: 1100, height: 900 });

      // Sign out, then read without an account.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${origin}/`);
      await expect(
        page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).isVisible(),
      ).resolves.toBe(true);
      await page.goto(`${origin}/@carol`);
      await expect(page.getByText('Hello @bob!').isVisible()).resolves.toBe(true);
      expect(await page.getByRole('button', { name: /Favourite/ }).count()).toBe(0);

      // Sign in again: the OAuth server asks for the password (or remembers the person), then back home.
      await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
      if (new URL(page.url()).pathname.startsWith('/oauth/')) {
        await page.getByLabel('Username or e-mail').fill('carol');
        await page.getByLabel('Password').fill('a long enough passphrase');
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      await page.waitForURL(`${origin}/`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();

      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
    }, 50_000);

    it('posts a photo with its alt text, shown on the post page; keeps the alt text on failure', async () => {
      await page.goto(`${origin}/home`);
      const photo = await photoJpeg(800, 600, { gps: true });
      // A refused file brings the form back with the message and the alt text as typed.
      await page.getByText('Add photos (up to 4)').click();
      await page.getByLabel('Photo 1', { exact: true }).setInputFiles({
        name: 'notes.png',
        mimeType: 'image/png',
        buffer: Buffer.from('only text, not a picture'),
      });
      await page.getByLabel('Description of photo 1').fill('A kestrel hovering over a meadow');
      await page.getByLabel('What’s on your mind?').fill('Look at this bird');
      await page.getByRole('button', { name: 'Post' }).click();
      await page.getByRole('alert').waitFor();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(
        /Photo 1: .*not an image/,
      );
      await expect(page.getByLabel('Description of photo 1').inputValue()).resolves.toBe(
        'A kestrel hovering over a meadow',
      );
      await expect(page.getByLabel('What’s on your mind?').inputValue()).resolves.toBe(
        'Look at this bird',
      );

      await page.getByLabel('Photo 1', { exact: true }).setInputFiles({
        name: 'kestrel.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${origin}/home`, { timeout: 30_000 });
      const post = page.getByRole('article').filter({ hasText: 'Look at this bird' }).first();
      await post.locator('a.permalink').click();
      const image = page.getByRole('img', { name: 'A kestrel hovering over a meadow' });
      await image.waitFor();
      await expect(
        image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).resolves.toBeGreaterThan(0);
      await shot('post-with-photo');

      // An avatar from the settings page shows on the profile.
      await page.goto(`${origin}/settings`);
      await page.getByLabel('Avatar', { exact: true }).setInputFiles({
        name: 'me.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await page.getByRole('button', { name: 'Save pictures' }).click();
      await page.getByText('Your pictures were saved.').waitFor();
      await page.goto(`${origin}/@carol`);
      await expect(page.locator('.profile img.avatar').getAttribute('src')).resolves.toMatch(
        /^\/media\/profiles\/\d+\/[0-9a-f]{64}\.jpg$/,
      );
      expect(pageErrors).toEqual([]);
    }, 60_000);
  },
);
