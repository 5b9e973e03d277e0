/// <reference lib="dom" />
/**
 * Lists and direct messages in a real Chromium, against the website in-process (no API needed: the
 * session is made as /auth/callback makes it). A person creates a list, adds an account they follow
 * from the list page, reads the list's posts, renames it, removes the member and deletes the list;
 * then reads their direct messages. Every page is audited with axe-core (`_accessibility.ts`).
 */
import { createStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture, recordPendingDirectMessages } from '@murmur/db/testing';
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
let friend: LocalAccount;

beforeAll(async () => {
  harness = await startHarness({ PUBLIC_URL: origin });
  await harness.app.listen({ host: '127.0.0.1', port: PORT });
  owner = await createAccountFixture(harness.database, { username: 'lister' });
  friend = await createAccountFixture(harness.database, {
    username: 'friend',
    displayName: 'Friendly Fran',
  });
  await followAccount(harness.database, { accountId: owner.id, targetAccountId: friend.id });
  const session = await signIn(harness, owner);
  ({ browser, page, audit } = await openSignedInBrowser(origin, session));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('lists and direct messages in Chromium', () => {
  it('creates a list, adds a followed account, reads its posts, renames it and deletes it', async () => {
    const post = await createStatus(harness.database, {
      accountId: friend.id,
      text: 'Posted for the list readers',
    });
    await page.goto(`${origin}/home`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Lists' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Lists' }).count()).resolves.toBe(1);

    // A blank title comes back with the message and the other choices kept.
    await page.getByLabel('Title').fill('   ');
    await page.getByLabel('Show replies').selectOption('none');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByText("Title can't be blank").waitFor();
    expect(await page.getByLabel('Show replies').inputValue()).toBe('none');

    await page.getByLabel('Title').fill('Friends');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { level: 1, name: 'Friends' }).waitFor();
    await page
      .getByLabel('Add an account you follow')
      .selectOption({ label: 'Friendly Fran (@friend)' });
    await page.getByRole('button', { name: 'Add to list' }).click();
    await page.getByText('Posted for the list readers').waitFor();
    expect(await page.locator(`#status-${post.id}`).count()).toBe(1);

    await page.getByLabel('Title').fill('Close friends');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Close friends' }).waitFor();

    await page.getByRole('button', { name: 'Remove @friend from Close friends' }).click();
    await page.getByText('No accounts in this list yet.').waitFor();
    await page.getByRole('button', { name: 'Delete this list' }).click();
    await page.getByText('No lists yet.').waitFor();
    await audit.check();
  }, 60_000);

  it('lists direct messages with their participants and unread state', async () => {
    await createStatus(harness.database, {
      accountId: friend.id,
      text: '@lister just between us',
      visibility: 'direct',
    });
    await recordPendingDirectMessages(harness.database);
    await page.goto(`${origin}/home`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Direct messages' })
      .click();
    await page.getByRole('heading', { level: 2, name: /With Friendly Fran/ }).waitFor();
    await page.getByText('just between us').waitFor();
    await page.getByRole('button', { name: 'Mark read' }).click();
    await page.getByRole('heading', { level: 1, name: 'Direct messages' }).waitFor();
    expect(await page.getByText('Unread').count()).toBe(0);
    await audit.check();
    expect(audit.audited.map((d) => d.path)).toEqual(
      expect.arrayContaining(['/lists', expect.stringMatching(/^\/lists\/\d+$/), '/direct']),
    );
  }, 60_000);
});
