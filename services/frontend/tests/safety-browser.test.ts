/// <reference lib="dom" />
/**
 * The settings' list of blocks and mutes in a real Chromium: the undo buttons work for other
 * servers' accounts (`@user@host`, which have no profile page here) as for local ones.
 */
import { blockAccount, muteAccount } from '@murmur/db/safety';
import { upsertRemoteAccount } from '@murmur/db/federation';
import { createAccountFixture, remoteAccountFixture } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessibilityAudit } from './_accessibility.js';
import { openSignedInBrowser } from './_browser.js';
import { signIn, startHarness, type Harness } from './_helpers.js';

const PORT = await freePort();
const origin = `http://127.0.0.1:${PORT}`;

let harness: Harness;
let browser: Browser;
let page: Page;
let audit: AccessibilityAudit;

async function remoteAccount(username: string, domain: string): Promise<string> {
  return upsertRemoteAccount(
    harness.database,
    remoteAccountFixture({ username, domain, url: `https://${domain}/@${username}` }),
  );
}

beforeAll(async () => {
  harness = await startHarness({ PUBLIC_URL: origin });
  await harness.app.listen({ host: '127.0.0.1', port: PORT });
  const alice = await createAccountFixture(harness.database, { username: 'alice' });
  const bob = await createAccountFixture(harness.database, { username: 'bob' });
  const mallory = await remoteAccount('mallory', 'remote.example');
  const trent = await remoteAccount('trent', 'other.example');
  for (const targetAccountId of [mallory, bob.id]) {
    await blockAccount(harness.database, { accountId: alice.id, targetAccountId });
  }
  await muteAccount(harness.database, { accountId: alice.id, targetAccountId: trent });
  ({ browser, page, audit } = await openSignedInBrowser(origin, await signIn(harness, alice)));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('blocks and mutes in the settings', () => {
  it('unblocks and unmutes remote accounts by their @user@host buttons', async () => {
    await page.goto(`${origin}/settings/blocks`);
    const blocked = page.getByRole('list', { name: 'Blocked accounts' });
    const muted = page.getByRole('list', { name: 'Muted accounts' });
    // A remote account links to its profile on its own server.
    expect(
      await blocked.getByRole('link', { name: '@mallory@remote.example' }).getAttribute('href'),
    ).toBe('https://remote.example/@mallory');
    await audit.check();

    await blocked.getByRole('button', { name: 'Unblock @mallory@remote.example' }).click();
    await page.waitForURL(`${origin}/settings/blocks`);
    await blocked.getByRole('button', { name: 'Unblock @bob' }).waitFor();
    expect(
      await page.getByRole('button', { name: 'Unblock @mallory@remote.example' }).count(),
    ).toBe(0);

    await muted.getByRole('button', { name: 'Unmute @trent@other.example' }).click();
    await page.getByText('You mute nobody.').waitFor();

    await blocked.getByRole('button', { name: 'Unblock @bob' }).click();
    await page.getByText('You block nobody.').waitFor();
    await audit.check();
  }, 60_000);
});
