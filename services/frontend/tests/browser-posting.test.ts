/// <reference lib="dom" />
/**
 * Posting features in a real Chromium, on the website alone (in-process, signed in through a
 * session as /auth/callback makes one): a post with a content warning and followers-only
 * visibility, hidden until opened; editing it from a form filled with its source (the typed text
 * kept on an error, "edited" shown after); re-describing and removing a post's photos; voting in a poll with the keyboard. Every page is
 * audited with axe-core.
 */
import type { AddressInfo } from 'node:net';
import { createMediaUpload, markMediaProcessed } from '@murmur/db/media';
import { createStatus, hydrateStatuses } from '@murmur/db/statuses';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture } from '@murmur/db/testing';
import { CHROMIUM_LAUNCH_OPTIONS } from '@murmur/devkit/browser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityAudit } from './_accessibility.js';
import { signIn, startHarness, type Harness } from './_helpers.js';

let harness: Harness;
let browser: Browser;
let origin: string;
let author: LocalAccount;
let pollster: LocalAccount;

beforeAll(async () => {
  // The website checks the Origin of form posts against PUBLIC_URL: listen first, then build it.
  const probe = await startHarness();
  await probe.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (probe.app.server.address() as AddressInfo).port;
  await probe.app.close();
  origin = `http://127.0.0.1:${port}`;
  harness = await startHarness({ PUBLIC_URL: origin }, probe.testDb);
  await harness.app.listen({ host: '127.0.0.1', port });
  author = await createAccountFixture(harness.database, { username: 'wren' });
  pollster = await createAccountFixture(harness.database, { username: 'pollster' });
  browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function signedInPage(
  account: LocalAccount,
): Promise<{ page: Page; audit: AccessibilityAudit }> {
  const session = await signIn(harness, account);
  const context = await browser.newContext();
  const [name, value] = session.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: origin }]);
  const page = await context.newPage();
  const audit = await AccessibilityAudit.attach(page);
  return { page, audit };
}

describe('posting on the website', () => {
  it('posts followers-only with a content warning, hidden until opened, then edits it', async () => {
    const { page, audit } = await signedInPage(author);
    await page.goto(`${origin}/home`);
    await page.getByLabel('What’s on your mind?').fill('The plot twist is the butler');
    await page.getByLabel('Content warning (optional)').fill('Spoilers for the book');
    await page.getByLabel('Who can see it').selectOption({ label: 'Followers only' });
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Post' }).click(),
    ]);

    const shown = page.locator('article.status', { hasText: 'Spoilers for the book' }).first();
    const posted = { id: (await shown.getAttribute('id'))!.replace('status-', '') };
    const [view] = await hydrateStatuses(harness.database.primary, [posted.id], author.id);
    expect(view).toMatchObject({ visibility: 'private', spoilerText: 'Spoilers for the book' });

    await page.goto(`${origin}/@wren/${posted.id}`);
    const article = page.locator(`#status-${posted.id}`);
    const text = article.getByText('The plot twist is the butler');
    await expect(text.isVisible()).resolves.toBe(false);
    await article.getByText('Spoilers for the book').click();
    await expect(text.isVisible()).resolves.toBe(true);

    // Edit: the form holds the source; an empty text is refused with what was typed kept.
    await Promise.all([
      page.waitForEvent('load'),
      article.getByRole('link', { name: 'Edit' }).click(),
    ]);
    const textField = page.getByLabel('Text');
    await expect(textField.inputValue()).resolves.toBe('The plot twist is the butler');
    await expect(page.getByLabel('Content warning (optional)').inputValue()).resolves.toBe(
      'Spoilers for the book',
    );
    await textField.fill('   ');
    await page.getByLabel('Content warning (optional)').fill('Changed warning');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Write something');
    await expect(page.getByLabel('Content warning (optional)').inputValue()).resolves.toBe(
      'Changed warning',
    );
    await page.getByLabel('Text').fill('The plot twist is the gardener');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/@wren/${posted.id}`);
    const edited = page.locator(`#status-${posted.id}`);
    await expect(edited.locator('.edited-note').textContent()).resolves.toMatch(/edited/);
    await edited.getByText('Changed warning').click();
    await expect(edited.getByText('The plot twist is the gardener').isVisible()).resolves.toBe(
      true,
    );
    await audit.check();
  }, 120_000);

  it('edits the description of a photo and removes another from the edit form', async () => {
    const photos: string[] = [];
    for (const description of ['A gull', 'A blurred thumb']) {
      const upload = await createMediaUpload(harness.database, {
        accountId: author.id,
        incomingKey: `incoming/${description}`,
        description,
      });
      const file = { width: 40, height: 30, size: '40x30', aspect: 4 / 3 };
      await markMediaProcessed(harness.database, {
        mediaId: upload.id,
        originalKey: `files/${upload.id}/original.jpg`,
        smallKey: `files/${upload.id}/small.webp`,
        meta: { original: file, small: file },
        blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
      });
      photos.push(upload.id);
    }
    const posted = await createStatus(harness.database, {
      accountId: author.id,
      text: 'At the beach',
      mediaIds: photos,
    });
    const { page, audit } = await signedInPage(author);
    await page.goto(`${origin}/statuses/${posted.id}/edit`);
    const first = page.getByLabel('Description of photo 1');
    await expect(first.inputValue()).resolves.toBe('A gull');
    await first.fill('A gull stealing a chip');
    await page.getByLabel('Remove photo 2').check();
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/@wren/${posted.id}`);
    const article = page.locator(`#status-${posted.id}`);
    await expect(
      article
        .locator('a.media img')
        .evaluateAll((images) => images.map((i) => i.getAttribute('alt'))),
    ).resolves.toEqual(['A gull stealing a chip']);
    const [view] = await hydrateStatuses(harness.database.primary, [posted.id], author.id);
    expect(view!.mediaAttachments.map((m) => [m.id, m.description])).toEqual([
      [photos[0], 'A gull stealing a chip'],
    ]);
    await audit.check();
  }, 120_000);

  it('votes in a poll with the keyboard and shows the results', async () => {
    const created = await createStatus(harness.database, {
      accountId: pollster.id,
      text: 'Tea or coffee?',
      poll: { options: ['Tea', 'Coffee'], expiresIn: 3600 },
    });
    const { page, audit } = await signedInPage(author);
    await page.goto(`${origin}/@pollster/${created.id}`);
    const coffee = page.getByLabel('Coffee');
    await coffee.focus();
    await page.keyboard.press('Space');
    await expect(coffee.isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Vote' }).focus();
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    const results = page.locator(`#status-${created.id} .poll-results`);
    await expect(results.textContent()).resolves.toMatch(/Coffee \(your choice\): 100%/);
    const [view] = await hydrateStatuses(harness.database.primary, [created.id], author.id);
    expect(view?.poll).toMatchObject({ ownVotes: [1], optionVotes: [0, 1] });
    await audit.check();
  }, 120_000);

  it('composes a poll, keeping what was typed when it is refused', async () => {
    const { page, audit } = await signedInPage(pollster);
    await page.goto(`${origin}/home`);
    await page.getByLabel('What’s on your mind?').fill('Best season?');
    await page.getByText('Add a poll').click();
    await page.getByLabel('Choice 1').fill('Spring');
    await page.getByLabel('Poll length').selectOption({ label: '1 hour' });
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Post' }).click(),
    ]);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/at least 2 options/);
    await expect(page.getByLabel('Choice 1').inputValue()).resolves.toBe('Spring');
    await expect(page.getByLabel('Poll length').inputValue()).resolves.toBe('3600');
    await page.getByLabel('Choice 2').fill('Autumn');
    await page.getByLabel('Allow several choices').check();
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Post' }).click(),
    ]);
    const shown = page.locator('article.status', { hasText: 'Best season?' }).first();
    await expect(shown.locator('.poll-results').textContent()).resolves.toMatch(/Spring.*Autumn/s);
    const id = (await shown.getAttribute('id'))!.replace('status-', '');
    const [view] = await hydrateStatuses(harness.database.primary, [id], pollster.id);
    expect(view?.poll).toMatchObject({ options: ['Spring', 'Autumn'], multiple: true });
    expect(view!.poll!.expiresAt.getTime() - view!.createdAt.getTime()).toBe(3_600_000);
    await audit.check();
  }, 120_000);
});
