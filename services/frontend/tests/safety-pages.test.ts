/**
 * Blocking and muting on the website, through its routes: the profile's labelled buttons, what a
 * block hides, and the settings page that lists blocks and mutes with an undo for each.
 */
import { createStatus } from '@murmur/db/statuses';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness, type Session } from './_helpers.js';

let h: Harness;
let alice: LocalAccount;
let bob: LocalAccount;
let carol: LocalAccount;
let session: Session;

beforeAll(async () => {
  h = await startHarness();
  alice = await createAccountFixture(h.database, { username: 'alice' });
  bob = await createAccountFixture(h.database, { username: 'bob' });
  carol = await createAccountFixture(h.database, { username: 'carol' });
  session = await signIn(h, alice);
});
afterAll(() => h?.close());

const act = (path: string, returnTo = '/settings/blocks') =>
  postForm(h, path, { csrf_token: session.csrf, return_to: returnTo }, { session });

describe('blocks and mutes on the website', () => {
  it("offers labelled block and mute buttons on a profile, and a block hides the person's posts", async () => {
    const post = await createStatus(h.database, { accountId: bob.id, text: 'bob says hi' });
    const profile = (await get(h, '/@bob', session)).body;
    expect(profile).toContain('aria-label="Block @bob"');
    expect(profile).toContain('aria-label="Mute @bob"');
    expect((await get(h, '/@bob')).body).not.toContain('Block @bob');

    const blocked = await act('/@bob/block', '/@bob');
    expect(blocked.statusCode).toBe(303);
    const after = (await get(h, '/@bob', session)).body;
    expect(after).toContain('aria-label="Unblock @bob"');
    expect(after).not.toContain('>Follow</button>');
    expect((await get(h, '/', session)).body).not.toContain('bob says hi');
    expect((await get(h, '/')).body).toContain('bob says hi');
    expect(post.id).toBeTruthy();
  });

  it('lists blocks and mutes in the settings, each with an undo', async () => {
    await act('/@carol/mute', '/@carol');
    const page = (await get(h, '/settings/blocks', session)).body;
    expect(page).toContain('<h1>Blocks and mutes</h1>');
    expect(page).toContain('aria-label="Unblock @bob"');
    expect(page).toContain('aria-label="Unmute @carol"');
    expect((await get(h, '/settings', session)).body).toContain('href="/settings/blocks"');

    for (const path of ['/@bob/unblock', '/@carol/unmute']) {
      const undone = await act(path);
      expect(undone.headers.location).toBe('/settings/blocks');
    }
    const empty = (await get(h, '/settings/blocks', session)).body;
    expect(empty).toContain('You block nobody.');
    expect(empty).toContain('You mute nobody.');
    expect((await get(h, '/settings/blocks')).statusCode).toBe(303);
    // Without the form's token, nothing happens.
    const forged = await postForm(h, '/@carol/block', {}, { session });
    expect(forged.statusCode).toBeGreaterThanOrEqual(400);
    expect(carol.id).toBeTruthy();
  });
});
