/// <reference lib="dom" />
/**
 * The whole system in a real Chromium: the API (OAuth server) and the website as child processes,
 * the one-origin dev proxy in front. A person signs up, posts, replies, favourites, bookmarks and signs out;
 * everything a page offers is done again with the keyboard alone. Every page visited, signed out
 * and in, is audited with axe-core (`_accessibility.ts`): a serious or critical WCAG 2.1 A/AA
 * violation fails the test it happened in.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAccountFixture,
  createTestDatabase,
  deliverNotifications,
  type TestDatabase,
} from '@murmur/db/testing';
import { createStatus, favouriteStatus, reblogStatus } from '@murmur/db/statuses';
import { findAccountByUsername, type LocalAccount } from '@murmur/db/accounts';
import { followAccount } from '@murmur/db/follows';
import { recomputeDailyStats } from '@murmur/db/statistics';
import { photoJpeg } from '@murmur/media/testing';
import { countCharacters } from '@murmur/text';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { createUnsubscribeToken, DEV_UNSUBSCRIBE_SECRET } from '@murmur/service-kit';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityAudit } from './_accessibility.js';
import { API_SERVER, startSystem, type RunningSystem } from './_system.js';

const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;
const apiMissing = !existsSync(API_SERVER);

/** Presses Tab (or Shift+Tab) until `target` has the focus: proof it is reachable by keyboard. */
async function tabTo(page: Page, target: Locator, options: { backwards?: boolean } = {}) {
  const key = options.backwards ? 'Shift+Tab' : 'Tab';
  // A full page of posts has about six stops each: going round it once must fit.
  const maxPresses = 250;
  for (let presses = 0; presses < maxPresses; presses++) {
    await page.keyboard.press(key);
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${String(target)} was not reached with ${maxPresses} presses of ${key}`);
}

/** Presses a key that submits a form or follows a link, and waits for the new page to load. */
async function pressAndLoad(page: Page, key: string) {
  const loaded = page.waitForEvent('load');
  await page.keyboard.press(key);
  await loaded;
}

interface FocusStyle {
  outlineStyle: string;
  outlineWidth: number;
  outlineColor: string;
  boxShadow: string;
}

async function focusStyleOf(target: Locator): Promise<FocusStyle> {
  return target.evaluate((element) => {
    const style = getComputedStyle(element);
    return {
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      outlineColor: style.outlineColor,
      boxShadow: style.boxShadow,
    };
  });
}

/** WCAG relative luminance contrast between two `rgb(…)` colours. */
function contrastRatio(first: string, second: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
      const channel = Number(part) / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}

/** The pages the audit must have covered, signed out and signed in (checked by the last test). */
const REQUIRED_PAGES: { name: string; path: RegExp; title?: RegExp; signedIn: boolean }[] = [
  { name: 'home, signed out', path: /^\/$/, signedIn: false },
  { name: 'home, signed in', path: /^\/home$/, signedIn: true },
  { name: 'public timeline with the compose box', path: /^\/$/, signedIn: true },
  { name: 'a profile', path: /^\/@bob$/, signedIn: false },
  { name: 'a profile, signed in (follow button)', path: /^\/@bob$/, signedIn: true },
  { name: 'a post and its thread', path: /^\/@\w+\/\d+$/, signedIn: false },
  { name: 'a post with the reply form', path: /^\/@\w+\/\d+$/, signedIn: true },
  { name: 'followers', path: /^\/@bob\/followers$/, signedIn: false },
  { name: 'a hashtag', path: /^\/tags\/builders$/, signedIn: false },
  { name: 'search with results', path: /^\/search\?q=/, signedIn: false },
  { name: 'statistics', path: /^\/statistics$/, signedIn: false },
  { name: 'unsubscribe confirmation', path: /^\/unsubscribe\?token=/, signedIn: false },
  { name: 'unsubscribed', path: /^\/unsubscribe$/, signedIn: false },
  { name: 'the 404 page', path: /^\/no\/such\/page$/, signedIn: false },
  { name: 'sign-in page (API)', path: /^\/oauth\/authorize\?/, title: /^Sign in/, signedIn: false },
  { name: 'sign-up page (API)', path: /^\/oauth\/sign_up\?/, title: /^Sign up/, signedIn: false },
  {
    name: 'OAuth consent page (API)',
    path: /^\/oauth\/authorize\?/,
    title: /^Authorize /,
    signedIn: false,
  },
  {
    name: 'authorization code page (API)',
    path: /^\/oauth\/authorize$/,
    title: /^Authorization code$/,
    signedIn: false,
  },
  { name: 'settings', path: /^\/settings$/, signedIn: true },
  { name: 'settings after saving', path: /^\/settings\/profile$/, signedIn: true },
  { name: 'notifications with notifications', path: /^\/notifications$/, signedIn: true },
  { name: 'compose with an error', path: /^\/statuses$/, signedIn: true },
  { name: 'delete confirmation', path: /^\/statuses\/\d+\/delete$/, signedIn: true },
];

describe.skipIf(apiMissing)(
  'the website in a real browser (skipped only when services/api/src/server.ts is missing)',
  () => {
    let testDb: TestDatabase;
    let system: RunningSystem;
    let mediaDir: string;
    let browser: Browser;
    let page: Page;
    let audit: AccessibilityAudit;
    let origin: string;
    let bob: LocalAccount;
    let bobsPostId: string;
    const dialogs: string[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      testDb = await createTestDatabase();
      bob = await createAccountFixture(testDb.database, {
        username: 'bob',
        displayName: 'Bob Builder',
      });
      bobsPostId = (
        await createStatus(testDb.database, { accountId: bob.id, text: 'Can we fix it? #builders' })
      ).id;
      mediaDir = await mkdtemp(join(tmpdir(), 'murmur-browser-media-'));
      const launching = chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
      // The worker processes the photos posted from the compose form.
      system = await startSystem({
        databaseUrl: testDb.url,
        mediaDir,
        // The person signing up here posts at once (confirmation: email-confirmation.test.ts).
        apiEnv: { REQUIRE_EMAIL_CONFIRMATION: 'false' },
      });
      origin = system.origin;
      browser = await launching;
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      page.setDefaultTimeout(5_000);
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      audit = await AccessibilityAudit.attach(page);
      mkdirSync(SCREENSHOTS, { recursive: true });
    }, 90_000);

    afterEach(async () => {
      await audit.check();
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
    }, 30_000);

    afterAll(async () => {
      if (audit) {
        console.info(
          `Audited with axe-core (${audit.audited.length} documents):\n${audit.audited
            .map((d) => `  ${d.signedIn ? 'signed in ' : 'signed out'}  ${d.path}  (${d.title})`)
            .join('\n')}`,
        );
        if (audit.minor.length) console.info(`Moderate/minor findings:\n${audit.minor.join('\n')}`);
      }
      await browser?.close();
      await system?.stop();
      await testDb?.destroy();
      if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
    });

    const shot = (name: string) =>
      page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

    it('the audit fails on a serious violation, naming the rule, the element and the help', async () => {
      const broken = `${origin}/__audit-self-test`;
      await page.route(broken, (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body: '<!doctype html><html lang="en"><title>Audit self-test</title><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button id="nameless"></button></main></html>',
        }),
      );
      await page.goto(broken);
      const failure = await audit.check().then(
        () => null,
        (error: Error) => error.message,
      );
      await page.unroute(broken);
      expect(failure).toMatch(
        /\/__audit-self-test: image-alt \(critical\): Images must have alternative text/,
      );
      expect(failure).toContain('<img src="data:image/gif;base64');
      expect(failure).toMatch(/button-name \(critical\)/);
      expect(failure).toContain('#nameless');
      expect(failure).toContain('https://dequeuniversity.com/rules/axe/');
    });

    it('signed out: timeline, profile, post, followers, hashtag, search, statistics, 404', async () => {
      await page.goto(`${origin}/`);
      await page.getByRole('heading', { name: 'Public posts' }).waitFor();
      await page.goto(`${origin}/@bob`);
      await page.getByRole('heading', { name: 'Bob Builder' }).waitFor();
      await page.goto(`${origin}/@bob/${bobsPostId}`);
      await page.getByRole('heading', { name: 'Replies' }).waitFor();
      await page.goto(`${origin}/@bob/followers`);
      await page.goto(`${origin}/tags/builders`);
      await page.getByRole('heading', { name: '#builders' }).waitFor();
      await page.goto(`${origin}/search?q=bob`);
      await page
        .getByRole('region', { name: 'People' })
        .getByRole('link', { name: /Bob Builder/ })
        .waitFor();
      await page.goto(`${origin}/search?q=builders`);
      await page
        .getByRole('region', { name: 'Hashtags' })
        .getByRole('link', { name: '#builders' })
        .waitFor();
      await page.goto(`${origin}/statistics`);
      const missing = await page.goto(`${origin}/no/such/page`);
      expect(missing?.status()).toBe(404);
      // The unsubscribe link from a mention e-mail: a confirmation, then the answer.
      const token = createUnsubscribeToken(DEV_UNSUBSCRIBE_SECRET, bob.id);
      await page.goto(`${origin}/unsubscribe?token=${encodeURIComponent(token)}`);
      await tabTo(page, page.getByRole('button', { name: 'Unsubscribe' }));
      await pressAndLoad(page, 'Enter');
      await page
        .getByRole('status')
        .filter({ hasText: 'You will no longer get e-mails' })
        .waitFor();
      // The sign-in page is the API's (the OAuth server's).
      await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Username or e-mail').waitFor();
      await page.waitForLoadState();
      // Nobody signed in: nothing to favourite or boost, but the counts are read out with their nouns.
      await page.goto(`${origin}/`);
      const bobs = page.getByRole('article').filter({ hasText: 'Can we fix it?' });
      expect(await bobs.getByRole('button').count()).toBe(0);
      await expect(bobs.getByText('0 favourites').count()).resolves.toBe(1);
    }, 45_000);

    it('sign up, post with a mention, reply, favourite, bookmark, sign out, read without an account', async () => {
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

      // Favourite Bob's post from the public timeline: same name, now pressed.
      await page.goto(`${origin}/`);
      const bobs = page.getByRole('article').filter({ hasText: 'Can we fix it?' });
      await bobs.getByRole('button', { name: 'Favourite, 0 favourites', pressed: false }).click();
      await page
        .getByRole('article')
        .filter({ hasText: 'Can we fix it?' })
        .getByRole('button', { name: 'Favourite, 1 favourite', pressed: true })
        .waitFor();

      // Bookmark it too, and find it on the Bookmarks page.
      await page
        .getByRole('article')
        .filter({ hasText: 'Can we fix it?' })
        .getByRole('button', { name: 'Bookmark', pressed: false })
        .click();
      await page
        .getByRole('article')
        .filter({ hasText: 'Can we fix it?' })
        .getByRole('button', { name: 'Bookmark', pressed: true })
        .waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Bookmarks' }).click();
      await page.getByRole('heading', { name: 'Bookmarks' }).waitFor();
      await expect(
        page.getByRole('article').filter({ hasText: 'Can we fix it?' }).isVisible(),
      ).resolves.toBe(true);
      await shot('bookmarks');
      await page.goto(`${origin}/`);

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

      // Sign in again: signing out ended the sign-in at the OAuth server too (it signed carol in
      // minutes ago and skips consent for the website), so it asks for the password.
      await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Password').waitFor();
      expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
      await page.getByLabel('Username or e-mail').fill('carol');
      await page.getByLabel('Password').fill('a long enough passphrase');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin}/`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    }, 60_000);

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

    it('a post that fails validation comes back with the error by the field and the text kept', async () => {
      await page.goto(`${origin}/home`);
      const tooLong = `${'x'.repeat(501)} kept`;
      await page.getByLabel('What’s on your mind?').fill(tooLong);
      await page.getByRole('button', { name: 'Post' }).click();
      await page.waitForURL(`${origin}/statuses`);
      const box = page.getByLabel('What’s on your mind?');
      await expect(box.inputValue()).resolves.toBe(tooLong);
      await expect(box.getAttribute('aria-invalid')).resolves.toBe('true');
      const error = page.getByRole('alert');
      await expect(error.textContent()).resolves.toMatch(/character limit of 500/);
      // The message is part of the field's description, so it is read with the field.
      await expect(box.getAttribute('aria-describedby')).resolves.toContain(
        (await error.getAttribute('id'))!,
      );
      // The counter speaks politely, after what the person is typing.
      await expect(page.locator('#compose-counter').getAttribute('aria-live')).resolves.toBe(
        'polite',
      );
      await shot('compose-error');
    });

    it('notifications list mentions, favourites, boosts and follows', async () => {
      const carol = (await findAccountByUsername(testDb.database.primary, 'carol'))!;
      const carolsPost = await createStatus(testDb.database, {
        accountId: carol.id,
        text: 'Anyone around to help with the shed?',
      });
      await createStatus(testDb.database, { accountId: bob.id, text: '@carol yes we can!' });
      await favouriteStatus(testDb.database, { accountId: bob.id, statusId: carolsPost.id });
      await reblogStatus(testDb.database, { accountId: bob.id, statusId: carolsPost.id });
      await followAccount(testDb.database, { accountId: bob.id, targetAccountId: carol.id });
      // The worker's notify step, run over the outbox: the mention, favourite, boost and follow.
      await deliverNotifications(testDb.database);

      await page.goto(`${origin}/notifications`);
      await page.getByRole('heading', { name: 'Notifications' }).waitFor();
      for (const what of [
        'mentioned you',
        'favourited your post',
        'boosted your post',
        'followed you',
      ]) {
        await expect(page.getByText(what).count(), what).resolves.toBeGreaterThan(0);
      }
      await shot('notifications');
    });

    it('every action works with the keyboard alone', async () => {
      await audit.settled();
      // The first Tab shows the skip link; Enter moves the focus to the content.
      await page.goto(`${origin}/@bob`);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      await expect(skip.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
      expect((await skip.boundingBox())!.x).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');

      // Follow and unfollow (Enter, then Space).
      await tabTo(page, page.getByRole('button', { name: 'Follow', exact: true }));
      await pressAndLoad(page, 'Enter');
      await tabTo(page, page.getByRole('button', { name: 'Unfollow' }));
      await pressAndLoad(page, 'Space');
      await page.getByRole('button', { name: 'Follow', exact: true }).waitFor();
      await tabTo(page, page.getByRole('button', { name: 'Follow', exact: true }));
      await pressAndLoad(page, 'Enter');
      await page.getByRole('button', { name: 'Unfollow' }).waitFor();

      // Favourite and boost Bob's post on his profile.
      const bobsPost = () => page.locator(`#status-${bobsPostId}`);
      await tabTo(page, bobsPost().getByRole('button', { name: /^Boost/ }));
      await pressAndLoad(page, 'Enter');
      await bobsPost().getByRole('button', { name: 'Boost, 1 boost', pressed: true }).waitFor();
      await tabTo(page, bobsPost().getByRole('button', { name: /^Favourite/ }));
      await pressAndLoad(page, 'Space');
      await bobsPost()
        .getByRole('button', { name: 'Favourite, 0 favourites', pressed: false })
        .waitFor();

      // Reply: the Reply link leads to the form on the post's page.
      await tabTo(page, bobsPost().getByRole('link', { name: 'Reply' }));
      await pressAndLoad(page, 'Enter');
      await page.waitForURL(`${origin}/@bob/${bobsPostId}#reply`);
      const replyBox = page.getByLabel('Reply to @bob');
      await tabTo(page, replyBox);
      await page.keyboard.press('End');
      await page.keyboard.type('typed without a mouse');
      // Shift+Tab goes back the way it came; Tab again reaches the button.
      const replyButton = page.getByRole('button', { name: 'Reply', exact: true });
      await tabTo(page, replyButton);
      await tabTo(page, replyBox, { backwards: true });
      await tabTo(page, replyButton);
      await pressAndLoad(page, 'Enter');
      await page.getByText('typed without a mouse').first().waitFor();

      // Post from the home timeline, submitted with Enter on the button.
      await page.goto(`${origin}/home`);
      await tabTo(page, page.getByLabel('What’s on your mind?'));
      await page.keyboard.type('A post from the keyboard');
      await tabTo(page, page.getByRole('button', { name: 'Post' }));
      await pressAndLoad(page, 'Enter');
      await page.waitForURL(`${origin}/home`);
      await page.getByRole('article').filter({ hasText: 'A post from the keyboard' }).waitFor();

      // Delete asks first; Cancel goes back.
      const mine = page.getByRole('article').filter({ hasText: 'A post from the keyboard' });
      await tabTo(page, mine.getByRole('link', { name: 'Delete' }));
      await pressAndLoad(page, 'Enter');
      await page.getByRole('heading', { name: 'Delete this post?' }).waitFor();
      await tabTo(page, page.getByRole('link', { name: 'Cancel' }));
      await pressAndLoad(page, 'Enter');
      await page.waitForURL(/\/@carol\/\d+$/);

      // Settings: the profile form (text, checkbox) and the password form.
      await page.goto(`${origin}/settings`);
      await tabTo(page, page.getByLabel('Display name'));
      await page.keyboard.type('Carol Keys');
      await tabTo(page, page.getByLabel('E-mail me when someone mentions me'));
      const before = await page.getByLabel('E-mail me when someone mentions me').isChecked();
      await page.keyboard.press('Space');
      await tabTo(page, page.getByRole('button', { name: 'Save profile' }));
      await pressAndLoad(page, 'Enter');
      await page.getByRole('status').filter({ hasText: 'Your profile was saved.' }).waitFor();
      await expect(page.getByLabel('Display name').inputValue()).resolves.toBe('Carol Keys');
      await expect(page.getByLabel('E-mail me when someone mentions me').isChecked()).resolves.toBe(
        !before,
      );
      await tabTo(page, page.getByLabel('Current password'));
      await page.keyboard.type('a long enough passphrase');
      await page.keyboard.press('Tab');
      await page.keyboard.type('an even longer passphrase');
      await pressAndLoad(page, 'Enter');
      await page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();

      // Sign out from the navigation.
      await tabTo(page, page.getByRole('button', { name: 'Sign out' }));
      await pressAndLoad(page, 'Enter');
      await page.waitForURL(`${origin}/`);
      await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).waitFor();
    }, 90_000);

    it('an app is authorized on the consent page and revoked in settings, by keyboard', async () => {
      const registered = await fetch(`${origin}/api/v1/apps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Keyboard Client',
          redirect_uris: 'urn:ietf:wg:oauth:2.0:oob',
          scopes: 'read',
        }),
      });
      const app = (await registered.json()) as { client_id: string; client_secret: string };
      const authorize = new URL(`${origin}/oauth/authorize`);
      for (const [name, value] of Object.entries({
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: 'urn:ietf:wg:oauth:2.0:oob',
        scope: 'read',
      }))
        authorize.searchParams.set(name, value);
      await page.goto(authorize.href);
      if (await page.getByLabel('Username or e-mail').count()) {
        await page.getByLabel('Username or e-mail').fill('carol');
        await page.getByLabel('Password').fill('an even longer passphrase');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForLoadState();
      }
      await page.getByRole('heading', { name: 'Authorize Keyboard Client?' }).waitFor();
      await shot('consent');
      await tabTo(page, page.getByRole('button', { name: 'Authorize' }));
      await pressAndLoad(page, 'Enter');
      await page.getByRole('heading', { name: 'Authorization code' }).waitFor();
      const code = (await page.locator('code.oob').textContent())!.trim();
      const token = await fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: app.client_id,
          client_secret: app.client_secret,
          redirect_uri: 'urn:ietf:wg:oauth:2.0:oob',
        }),
      });
      expect(token.status).toBe(200);

      await page.goto(`${origin}/auth/sign_in`);
      await page.waitForURL(`${origin}/`);
      await page.goto(`${origin}/settings`);
      await tabTo(page, page.getByRole('button', { name: 'Revoke access for Keyboard Client' }));
      await pressAndLoad(page, 'Enter');
      await page.waitForURL(`${origin}/settings`);
      await expect(
        page.getByRole('button', { name: 'Revoke access for Keyboard Client' }).count(),
      ).resolves.toBe(0);
    }, 45_000);

    it('the focused element has a visible focus indicator with enough contrast', async () => {
      await page.goto(`${origin}/`);
      await audit.settled();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const targets: [string, Locator][] = [
        ['link', page.getByRole('navigation').getByRole('link', { name: 'Home' })],
        ['search field', page.getByRole('searchbox', { name: 'Search' })],
        ['text area', page.getByLabel('What’s on your mind?')],
        ['primary button', page.getByRole('button', { name: 'Post' })],
        ['link button', page.getByRole('button', { name: 'Sign out' })],
        [
          'action button',
          page.locator(`#status-${bobsPostId}`).getByRole('button', { name: /^Favourite/ }),
        ],
      ];
      for (const [kind, target] of targets) {
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        const resting = await focusStyleOf(target);
        await tabTo(page, target);
        const focused = await focusStyleOf(target);
        expect(focused, kind).not.toEqual(resting);
        expect(focused.outlineStyle, kind).toBe('solid');
        expect(focused.outlineWidth, kind).toBeGreaterThanOrEqual(2);
        // WCAG 1.4.11: the indicator stands out from the page behind it by at least 3:1.
        expect(contrastRatio(focused.outlineColor, background), kind).toBeGreaterThanOrEqual(3);
        // The ring is drawn outside the element: the picture takes in a margin around it.
        const box = (await target.boundingBox())!;
        await page.screenshot({
          path: `${SCREENSHOTS}focus-${kind.replace(/ /g, '-')}.png`,
          clip: { x: box.x - 12, y: box.y - 12, width: box.width + 24, height: box.height + 24 },
        });
      }
      // In dark mode too.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${origin}/@bob/${bobsPostId}`);
      const darkBackground = await page.evaluate(
        () => getComputedStyle(document.body).backgroundColor,
      );
      const reply = page.getByRole('button', { name: 'Reply', exact: true });
      await tabTo(page, reply);
      const dark = await focusStyleOf(reply);
      expect(contrastRatio(dark.outlineColor, darkBackground)).toBeGreaterThanOrEqual(3);
      await shot('post-dark-focus');
      await page.goto(`${origin}/notifications`);
      await page.goto(`${origin}/statistics`);
      await page.emulateMedia({ colorScheme: 'light' });
    }, 60_000);

    it('the statistics charts keep their text alternatives: a name, a description and the table', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const numbers = await recomputeDailyStats(testDb.database, today);
      await page.goto(`${origin}/statistics`);
      const table = page.getByRole('table', { name: 'Daily numbers, oldest first' });
      const todayRow = table.getByRole('row', { name: new RegExp(`^${today}`) });
      for (const [label, value] of [
        ['Posts', numbers.posts],
        ['Mentions', numbers.mentions],
        ['Follows', numbers.follows],
        ['Favourites', numbers.favourites],
      ] as const) {
        const chart = page.getByRole('img', { name: new RegExp(`^${label} per day`) });
        await expect(chart.count(), label).resolves.toBe(1);
        // The description carries the numbers the bars show (the last day is today).
        await expect(chart.getAttribute('aria-labelledby')).resolves.toMatch(/-title .*-desc$/);
        const description = await page.evaluate(
          (id) => document.getElementById(id)?.textContent ?? '',
          (await chart.getAttribute('aria-labelledby'))!.split(' ')[1]!,
        );
        expect(description, label).toContain(`to ${today}`);
        expect(value, label).toBeGreaterThan(0);
        expect(description, label).toMatch(new RegExp(`total ${value}\\b`));
      }
      await expect(todayRow.getByRole('cell').first().textContent()).resolves.toBe(
        String(numbers.posts),
      );
      await expect(page.locator('figure.chart figcaption').count()).resolves.toBe(6);
    });

    it('the audit covered every kind of page, signed out and signed in', () => {
      const missing = REQUIRED_PAGES.filter(
        (required) =>
          !audit.audited.some(
            (document) =>
              required.path.test(document.path) &&
              (required.title?.test(document.title) ?? true) &&
              document.signedIn === required.signedIn,
          ),
      );
      expect(missing.map((m) => m.name)).toEqual([]);
    });
  },
);
