/**
 * An account whose e-mail address is not confirmed, on the website: a notice on every page with
 * "Send the link again", and posting, boosting and following refused with a clear message.
 */
import { relationships } from '@murmur/db/follows';
import { type LocalAccount } from '@murmur/db/accounts';
import { createAccountFixture, createStatusFixture, outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness, type Session } from './_helpers.js';

let h: Harness;
let newcomer: LocalAccount;
let session: Session;
let other: LocalAccount;

beforeAll(async () => {
  h = await startHarness();
  newcomer = await createAccountFixture(h.database, { emailConfirmedAt: null });
  other = await createAccountFixture(h.database, { username: 'someone_else' });
  session = await signIn(h, newcomer);
});
afterAll(() => h?.close());

describe('an unconfirmed e-mail address on the website', () => {
  it('shows the notice with a resend button on every page, and not to confirmed people', async () => {
    for (const url of ['/', '/home', '/settings']) {
      const page = await get(h, url, session);
      expect(page.body, url).toContain('Confirm your e-mail address');
      expect(page.body, url).toContain('action="/settings/confirmation"');
    }
    const confirmed = await signIn(h, other);
    expect((await get(h, '/home', confirmed)).body).not.toContain('Confirm your e-mail address');
  });

  it('refuses posting, boosting and following with a clear message', async () => {
    const post = await createStatusFixture(h.database, { accountId: other.id });
    for (const [url, fields] of [
      ['/statuses', { status: 'hello' }],
      [`/statuses/${post.id}/reblog`, {}],
      ['/@someone_else/follow', {}],
    ] as const) {
      const response = await postForm(h, url, { csrf_token: session.csrf, ...fields }, { session });
      expect(response.statusCode, url).toBe(403);
      expect(response.body).toContain('Confirm your e-mail address first');
    }
    const [row] = await relationships(h.database.primary, newcomer.id, [other.id]);
    expect(row).toMatchObject({ following: false, requested: false });
  });

  it('sends the link again', async () => {
    const response = await postForm(
      h,
      '/settings/confirmation',
      { csrf_token: session.csrf },
      { session },
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('A new confirmation link is on its way');
    const events = (await outboxEvents(h.database, ['EmailConfirmationRequested'])).filter(
      (e) => e.data.accountId === newcomer.id,
    );
    expect(events).toHaveLength(1);
  });
});
