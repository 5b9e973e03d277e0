/// <reference lib="dom" />
/**
 * Filtered notifications in a real Chromium, against the website in-process: from the
 * notifications page to the requests, Accept one sender (their message then shows among the
 * notifications) and Dismiss the other. Every page is audited with axe-core (`_accessibility.ts`).
 */
import { createStatus } from '@murmur/db/statuses';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture, deliverNotifications } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessibilityAudit } from './_accessibility.js';
import { openSignedInBrowser } from './_browser.js';
import { signIn, startHarness, type Harness } from './_helpers.js';

// A port of its own (the public origin must be known before the website starts: CSRF checks it).
const PORT = await freePort();
const origin = `http://127.0.0.1:${PORT}`;

let harness: Harness;
let browser: Browser;
let page: Page;
let audit: AccessibilityAudit;
let owner: LocalAccount;

beforeAll(async () => {
  harness = await startHarness({ PUBLIC_URL: origin });
  await harness.app.listen({ host: '127.0.0.1', port: PORT });
  owner = await createAccountFixture(harness.database, { username: 'wary' });
  const session = await signIn(harness, owner);
  ({ browser, page, audit } = await openSignedInBrowser(origin, session));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('filtered notifications in Chromium', () => {
  it('reviews the requests: accepts one sender and dismisses the other', async () => {
    const pen = await createAccountFixture(harness.database, { displayName: 'Polly Pen' });
    const spam = await createAccountFixture(harness.database, { displayName: 'Sam Spam' });
    for (const [sender, text] of [
      [pen, 'greetings from afar'],
      [spam, 'cheap watches'],
    ] as const) {
      await createStatus(harness.database, {
        accountId: sender.id,
        text: `@wary ${text}`,
        visibility: 'direct',
      });
    }
    await deliverNotifications(harness.database);

    await page.goto(`${origin}/notifications`);
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(await page.getByText('greetings from afar').count()).toBe(0);
    await page.getByRole('link', { name: '2 people you may not know' }).click();
    await page.getByRole('heading', { name: 'Filtered notifications' }).waitFor();
    await page.getByText('cheap watches').waitFor();
    await page.getByRole('button', { name: 'Accept notifications from Polly Pen' }).click();
    await page.getByRole('button', { name: 'Dismiss notifications from Sam Spam' }).click();
    await page.getByText('Nothing is waiting').waitFor();
    await page.getByRole('link', { name: 'Back to notifications' }).click();
    await page.getByText('greetings from afar').waitFor();
    expect(await page.getByText('cheap watches').count()).toBe(0);
    await audit.check();
  }, 60_000);
});
