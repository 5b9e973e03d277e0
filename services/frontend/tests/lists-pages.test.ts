/**
 * The lists and direct-message pages through inject(): private to the signed-in person, forms
 * protected by CSRF, someone else's list not found, a failed form kept as typed.
 */
import { createList, listsOf } from '@murmur/db/feeds';
import { createAccountFixture } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness, type Session } from './_helpers.js';

let harness: Harness;
let owner: Session;
let other: Session;
let ownerId: string;

beforeAll(async () => {
  harness = await startHarness();
  const [a, b] = await Promise.all([
    createAccountFixture(harness.database),
    createAccountFixture(harness.database),
  ]);
  ownerId = a.id;
  owner = await signIn(harness, a);
  other = await signIn(harness, b);
});
afterAll(() => harness?.close());

describe('lists pages', () => {
  it('send signed-out readers to sign in', async () => {
    for (const path of ['/lists', '/direct']) {
      const response = await get(harness, path);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/auth/sign_in');
    }
  });

  it('create a list with CSRF only, and keep a failed form as typed', async () => {
    const refused = await postForm(harness, '/lists', { title: 'No token' }, { session: owner });
    expect(refused.statusCode).toBe(403);
    const blank = await postForm(
      harness,
      '/lists',
      { csrf_token: owner.csrf, title: ' ', replies_policy: 'followed', exclusive: 'on' },
      { session: owner },
    );
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('Title can&#39;t be blank');
    expect(blank.body).toMatch(/<option value="followed" selected>/);
    expect(blank.body).toMatch(/name="exclusive" value="on" checked/);
    const created = await postForm(
      harness,
      '/lists',
      { csrf_token: owner.csrf, title: 'Neighbours' },
      { session: owner },
    );
    expect(created.statusCode).toBe(303);
    const [list] = await listsOf(harness.database.primary, ownerId);
    expect(created.headers.location).toBe(`/lists/${list!.id}`);
    expect((await get(harness, `/lists/${list!.id}`, owner)).body).toContain('<h1>Neighbours</h1>');
  });

  it('answer 404 for someone else’s list, and never change it', async () => {
    const list = await createList(harness.database, { accountId: ownerId, title: 'Mine' });
    expect((await get(harness, `/lists/${list.id}`, other)).statusCode).toBe(404);
    const deleted = await postForm(
      harness,
      `/lists/${list.id}/delete`,
      { csrf_token: other.csrf },
      { session: other },
    );
    expect(deleted.statusCode).toBe(404);
    expect((await listsOf(harness.database.primary, ownerId)).map((l) => l.title)).toContain(
      'Mine',
    );
  });
});
