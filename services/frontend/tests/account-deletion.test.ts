/**
 * Deleting your own account on the website: the page says what happens and asks for the password;
 * a wrong one deletes nothing (422, the form comes back empty with the error); the right one signs
 * the browser out, the session and sign-in stop working, and the profile is gone.
 */
import { authenticate } from '@murmur/db/accounts';
import { createAccountFixture, FIXTURE_PASSWORD } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness } from './_helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('deleting your account on the website', () => {
  it('asks for the password, refuses a wrong one, and deletes with the right one', async () => {
    const zoe = await createAccountFixture(h.database, { username: 'zoe' });
    const session = await signIn(h, zoe);
    expect((await get(h, '/settings', session)).body).toContain('href="/settings/delete"');
    const page = await get(h, '/settings/delete', session);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Delete account</h1>');
    expect(page.body).toContain('This cannot be undone.');
    expect((await get(h, '/settings/delete')).statusCode).toBe(303);

    const guess = 'my-wrong-guess-123';
    const wrong = await postForm(
      h,
      '/settings/delete',
      { csrf_token: session.csrf, password: guess },
      { session },
    );
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('That is not your password. Nothing was deleted.');
    expect(wrong.body).not.toContain(guess);
    expect((await get(h, '/@zoe')).statusCode).toBe(200);
    expect((await get(h, '/settings', session)).statusCode).toBe(200);

    // Without the form's token, nothing happens either.
    const forged = await postForm(
      h,
      '/settings/delete',
      { password: FIXTURE_PASSWORD },
      { session },
    );
    expect(forged.statusCode).toBeGreaterThanOrEqual(400);
    expect((await get(h, '/settings', session)).statusCode).toBe(200);

    const done = await postForm(
      h,
      '/settings/delete',
      { csrf_token: session.csrf, password: FIXTURE_PASSWORD },
      { session },
    );
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your account was deleted');
    expect(String(done.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/i);
    expect((await get(h, '/settings', session)).statusCode).toBe(303);
    expect((await get(h, '/@zoe')).statusCode).toBe(404);
    expect(await authenticate(h.database, { login: 'zoe', password: FIXTURE_PASSWORD })).toBeNull();
  });
});
