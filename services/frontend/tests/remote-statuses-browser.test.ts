/// <reference lib="dom" />
/**
 * Posts from other servers on the website, in a real Chromium against the website in-process: a
 * remote post is shown in its server's HTML (sanitized on arrival, as the federation inbox stores
 * it), its author as `@user@host` linking to the profile on their server, and its permalink opens a
 * page here with a link to the original. Hostile HTML in the post never reaches the page. Every page
 * is audited with axe-core (`_accessibility.ts`).
 */
import {
  receiveRemoteStatus,
  upsertRemoteAccount,
  type RemoteStatusInput,
} from '@murmur/db/federation';
import {
  createAccountFixture,
  remoteAccountFixture,
  remoteStatusFixture,
} from '@murmur/db/testing';
import { htmlToText, sanitizeRemoteHtml } from '@murmur/federation';
import { freePort } from '@murmur/devkit/net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessibilityAudit } from './_accessibility.js';
import { openSignedInBrowser } from './_browser.js';
import { get, signIn, startHarness, type Harness } from './_helpers.js';

const PORT = await freePort();
const origin = `http://127.0.0.1:${PORT}`;
const REMOTE = 'https://remote.example';

let harness: Harness;
let browser: Browser;
let page: Page;
let audit: AccessibilityAudit;
let statusId: string;

/** What a Mastodon server sends, with what a hostile one adds. */
const HOSTILE_CONTENT = `<p>Hello from <strong>afar</strong>, see <a href="${REMOTE}/about">our about page</a></p>
<p><script>window.pwned = 'script'</script><img src="x" onerror="window.pwned = 'onerror'">
<a href="javascript:window.pwned = 'link'" onclick="window.pwned = 'click'">click me</a>
<span class="mention" onmouseover="window.pwned = 'hover'" style="color: red">@nobody</span>
<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><button>Go</button></form></p>`;

beforeAll(async () => {
  harness = await startHarness({ PUBLIC_URL: origin });
  await harness.app.listen({ host: '127.0.0.1', port: PORT });
  const reader = await createAccountFixture(harness.database, { username: 'reader' });
  const mallory = await upsertRemoteAccount(
    harness.database,
    remoteAccountFixture({
      uri: `${REMOTE}/users/mallory`,
      username: 'mallory',
      displayName: 'Mallory Faraway',
      url: `${REMOTE}/@mallory`,
      sharedInboxUrl: `${REMOTE}/inbox`,
    }),
  );
  // As the inbox stores a note (packages/federation/src/inbox/note.ts): sanitized on arrival.
  const contentHtml = sanitizeRemoteHtml(HOSTILE_CONTENT);
  const note = (id: number, overrides: Partial<RemoteStatusInput>) =>
    remoteStatusFixture({
      accountId: mallory,
      uri: `${REMOTE}/users/mallory/statuses/${id}`,
      url: `${REMOTE}/@mallory/${id}`,
      language: 'en',
      ...overrides,
    });
  ({ id: statusId } = await receiveRemoteStatus(
    harness.database,
    note(1, {
      contentHtml,
      text: htmlToText(contentHtml),
      attachments: [
        {
          remoteUrl: `${REMOTE}/files/river.mp4`,
          kind: 'unknown',
          description: 'A river at dawn',
          blurhash: null,
          width: 640,
          height: 360,
          focus: { x: 0, y: 0 },
        },
      ],
    }),
  ));
  await receiveRemoteStatus(
    harness.database,
    note(2, {
      text: 'Which bird?',
      poll: {
        options: ['Heron', 'Egret'],
        optionVotes: [3, 1],
        multiple: false,
        votersCount: 4,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    }),
  );
  await receiveRemoteStatus(
    harness.database,
    note(3, {
      text: 'Which fish?',
      poll: {
        options: ['Pike', 'Perch', 'Carp'],
        optionVotes: [1, 1, 0],
        multiple: true,
        votersCount: 2,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    }),
  );
  const session = await signIn(harness, reader);
  ({ browser, page, audit } = await openSignedInBrowser(origin, session));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

/** What hostile content could have left in the page: ran scripts, handlers, script links, frames. */
async function traces(target: Page) {
  return target.evaluate(() => ({
    pwned: (window as unknown as { pwned?: string }).pwned ?? null,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    handlers: [...document.querySelectorAll('*')].flatMap((element) =>
      [...element.attributes].map((a) => a.name).filter((name) => name.startsWith('on')),
    ),
    styles: document.querySelectorAll('.content [style]').length,
    scriptLinks: [...document.querySelectorAll('a')].filter((a) =>
      a.href.toLowerCase().startsWith('javascript:'),
    ).length,
    embeds: document.querySelectorAll('.content iframe, .content form, .content img').length,
  }));
}

describe('a remote post on the website', () => {
  it("is shown in its server's HTML, by @user@host, with working links", async () => {
    await page.goto(`${origin}/`);
    const post = page.getByRole('article').filter({ hasText: 'Hello from' });
    await post.waitFor();
    // Rendered as HTML, not as its markup in text.
    expect(await post.locator('.content strong').textContent()).toBe('afar');
    expect(await post.getByText('<strong>').count()).toBe(0);
    const external = post.getByRole('link', { name: 'our about page' });
    expect(await external.getAttribute('href')).toBe(`${REMOTE}/about`);
    expect(await external.getAttribute('rel')).toBe('nofollow noopener noreferrer');

    // A file not kept here (a video) is a link to it, never embedded.
    const video = post.getByRole('link', {
      name: 'Attachment: A river at dawn (on remote.example)',
    });
    expect(await video.getAttribute('href')).toBe(`${REMOTE}/files/river.mp4`);
    expect(await post.locator('video, img[src^="https:"]').count()).toBe(0);

    const author = post.getByRole('link', { name: /Mallory Faraway/ });
    expect(await author.textContent()).toContain('@mallory@remote.example');
    expect(await author.getAttribute('href')).toBe(`${REMOTE}/@mallory`);
    await audit.check();

    // The permalink is a page here (not a 404), which links to the original.
    await post.getByRole('link', { name: /ago|now/ }).click();
    await page.getByRole('heading', { name: 'Post by @mallory@remote.example' }).waitFor();
    expect(page.url()).toBe(`${origin}/@mallory@remote.example/${statusId}`);
    const original = page.getByRole('link', { name: /original on remote\.example/ });
    expect(await original.getAttribute('href')).toBe(`${REMOTE}/@mallory/1`);
    expect(
      await page.getByRole('textbox', { name: 'Reply to @mallory@remote.example' }).count(),
    ).toBe(1);
    await audit.check();
  }, 60_000);

  it('never carries hostile HTML into the page', async () => {
    for (const path of ['/', `/@mallory@remote.example/${statusId}`]) {
      await page.goto(`${origin}${path}`);
      const post = page.getByRole('article').filter({ hasText: 'Hello from' });
      await post.waitFor();
      await post.getByText('click me').hover();
      await post.getByText('@nobody').hover();
      expect(await traces(page)).toEqual({
        pwned: null,
        scripts: 0,
        handlers: [],
        styles: 0,
        scriptLinks: 0,
        embeds: 0,
      });
    }
  }, 60_000);

  it('votes in a remote poll, then shows its results', async () => {
    await page.goto(`${origin}/`);
    const post = page.getByRole('article').filter({ hasText: 'Which bird?' });
    await post.getByRole('radio', { name: 'Egret' }).check();
    await post.getByRole('button', { name: 'Vote' }).click();
    const voted = page.getByRole('article').filter({ hasText: 'Which bird?' });
    await voted.getByText('Egret (your choice): 40% (2 votes)').waitFor();
    await audit.check();
  }, 60_000);

  it('offers several choices in a remote poll that allows them', async () => {
    await page.goto(`${origin}/`);
    const post = page.getByRole('article').filter({ hasText: 'Which fish?' });
    await post.getByRole('checkbox', { name: 'Pike' }).check();
    await post.getByRole('checkbox', { name: 'Carp' }).check();
    await post.getByRole('button', { name: 'Vote' }).click();
    const voted = page.getByRole('article').filter({ hasText: 'Which fish?' });
    await voted.getByText('Pike (your choice)').waitFor();
    await voted.getByText('Carp (your choice)').waitFor();
    await audit.check();
  }, 60_000);

  it('is a 404 under another author, and its page answers for the right one only', async () => {
    expect((await get(harness, `/@mallory/${statusId}`)).statusCode).toBe(404);
    expect((await get(harness, `/@reader@remote.example/${statusId}`)).statusCode).toBe(404);
    expect((await get(harness, `/@mallory@remote.example/${statusId}`)).statusCode).toBe(200);
  });
});
