/**
 * Locked accounts on the website: the settings checkbox, the "Request to follow" / "Requested"
 * button on a profile, the notification, and the Follow requests page with Accept and Reject.
 */
import { findAccountById, type LocalAccount } from '@murmur/db/accounts';
import { relationships } from '@murmur/db/follows';
import { createAccountFixture, deliverNotifications } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness, type Session } from './_helpers.js';

let h: Harness;
let owner: LocalAccount;
let ownerSession: Session;

beforeAll(async () => {
  h = await startHarness();
  owner = await createAccountFixture(h.database, { username: 'keeper' });
  ownerSession = await signIn(h, owner);
});
afterAll(() => h?.close());

async function following(accountId: string) {
  const [row] = await relationships(h.database.primary, accountId, [owner.id]);
  return row!;
}

describe('locked accounts on the website', () => {
  it('locks from settings, and a visitor asks, sees "Requested", and withdraws', async () => {
    const saved = await postForm(
      h,
      '/settings/profile',
      { csrf_token: ownerSession.csrf, display_name: 'Keeper', note: '', locked: 'on' },
      { session: ownerSession },
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toMatch(/id="locked" name="locked" value="on"[^>]* checked/);
    expect((await findAccountById(h.database.primary, owner.id))!.locked).toBe(true);

    const visitor = await createAccountFixture(h.database);
    const session = await signIn(h, visitor);
    const profile = await get(h, '/@keeper', session);
    expect(profile.body).toContain('Request to follow');
    expect(profile.body).toContain('approves its followers by hand');

    const asked = await postForm(
      h,
      '/@keeper/follow',
      { csrf_token: session.csrf, return_to: '/@keeper' },
      { session },
    );
    expect(asked.statusCode).toBe(303);
    expect(await following(visitor.id)).toMatchObject({ following: false, requested: true });
    expect((await get(h, '/@keeper', session)).body).toMatch(/aria-pressed="true">Requested</);

    await postForm(h, '/@keeper/unfollow', { csrf_token: session.csrf }, { session });
    expect(await following(visitor.id)).toMatchObject({ following: false, requested: false });
  });

  it('lists the requests, notifies them, and accepts or rejects each', async () => {
    const friend = await createAccountFixture(h.database, { displayName: 'Friendly' });
    const stranger = await createAccountFixture(h.database, { displayName: 'Strange' });
    for (const asker of [friend, stranger]) {
      const session = await signIn(h, asker);
      await postForm(h, '/@keeper/follow', { csrf_token: session.csrf }, { session });
    }
    await deliverNotifications(h.database);
    const notifications = await get(h, '/notifications', ownerSession);
    expect(notifications.body).toContain('asked to follow you');
    expect(notifications.body).toContain('href="/follow_requests"');

    const page = await get(h, '/follow_requests', ownerSession);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Accept Friendly&#39;s follow request');
    expect(page.body).toContain('Reject Strange&#39;s follow request');

    const accepted = await postForm(
      h,
      `/follow_requests/${friend.id}/authorize`,
      { csrf_token: ownerSession.csrf },
      { session: ownerSession },
    );
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/follow_requests');
    const rejected = await postForm(
      h,
      `/follow_requests/${stranger.id}/reject`,
      { csrf_token: ownerSession.csrf },
      { session: ownerSession },
    );
    expect(rejected.statusCode).toBe(303);
    expect(await following(friend.id)).toMatchObject({ following: true, requested: false });
    expect(await following(stranger.id)).toMatchObject({ following: false, requested: false });
    expect((await get(h, '/follow_requests', ownerSession)).body).toContain(
      'Nobody is waiting for your answer',
    );

    const again = await postForm(
      h,
      `/follow_requests/${stranger.id}/reject`,
      { csrf_token: ownerSession.csrf },
      { session: ownerSession },
    );
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('already answered');
  });
});
