/**
 * Filtered notifications on the website: a stranger's private mention waits in a request (not on
 * the notifications page, which links to the requests), the requests page lists it with Accept and
 * Dismiss, and each answer does what it says.
 */
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, deliverNotifications } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness } from './_helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('filtered notifications on the website', () => {
  it('lists the requests, and accepts one and dismisses the other', async () => {
    const owner = await createAccountFixture(h.database, { username: 'guarded' });
    const session = await signIn(h, owner);
    const pen = await createAccountFixture(h.database, { displayName: 'Penfriend' });
    const spammer = await createAccountFixture(h.database, { displayName: 'Spammy' });
    for (const [sender, text] of [
      [pen, 'hello there, pen pal'],
      [spammer, 'buy my stuff'],
    ] as const) {
      await createStatus(h.database, {
        accountId: sender.id,
        text: `@guarded ${text}`,
        visibility: 'direct',
      });
    }
    await deliverNotifications(h.database);

    const notifications = await get(h, '/notifications', session);
    expect(notifications.body).not.toContain('pen pal');
    expect(notifications.body).toContain('href="/notifications/requests"');
    expect(notifications.body).toContain('2 people');

    const page = await get(h, '/notifications/requests', session);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Accept notifications from Penfriend');
    expect(page.body).toContain('Dismiss notifications from Spammy');
    expect(page.body).toContain('buy my stuff');
    const ids = [...page.body.matchAll(/\/notifications\/requests\/(\d+)\/accept/g)].map(
      (m) => m[1]!,
    );
    expect(ids).toHaveLength(2);
    // Newest first: Spammy's request, then Penfriend's.
    const [spammerRequest, penRequest] = ids;

    const accepted = await postForm(
      h,
      `/notifications/requests/${penRequest}/accept`,
      { csrf_token: session.csrf },
      { session },
    );
    expect(accepted.statusCode).toBe(303);
    await postForm(
      h,
      `/notifications/requests/${spammerRequest}/dismiss`,
      { csrf_token: session.csrf },
      { session },
    );
    const after = await get(h, '/notifications', session);
    expect(after.body).toContain('pen pal');
    expect(after.body).not.toContain('buy my stuff');
    expect(after.body).not.toContain('href="/notifications/requests"');
    expect((await get(h, '/notifications/requests', session)).body).toContain('Nothing is waiting');

    const again = await postForm(
      h,
      `/notifications/requests/${penRequest}/accept`,
      { csrf_token: session.csrf },
      { session },
    );
    expect(again.statusCode).toBe(404);
  });
});
