/**
 * The moderation pages' rules, through inject(): only staff see them, forms need the session's
 * CSRF token, a moderator cannot act on an admin, and a suspended person's session ends.
 */
import { fileReport, setAccountRole } from '@murmur/db/moderation';
import { findAccountByUsername } from '@murmur/db/accounts';
import { createAccountFixture } from '@murmur/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, postForm, signIn, startHarness, type Harness } from './_helpers.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness?.close());

async function member(role: 'user' | 'moderator' | 'admin') {
  const account = await createAccountFixture(harness.database);
  if (role !== 'user') {
    await setAccountRole(harness.database, { moderatorId: null, accountId: account.id, role });
  }
  const row = (await findAccountByUsername(harness.database.primary, account.username))!;
  return { account: row, session: await signIn(harness, row) };
}

describe('moderation pages', () => {
  it('are refused to plain users (403) and shown to moderators, with the Moderation link', async () => {
    const plain = await member('user');
    const moderator = await member('moderator');
    for (const path of ['/admin/reports', '/admin/accounts', '/admin/audit']) {
      expect({ path, status: (await get(harness, path, plain.session)).statusCode }).toEqual({
        path,
        status: 403,
      });
      const shown = await get(harness, path, moderator.session);
      expect({ path, status: shown.statusCode }).toEqual({ path, status: 200 });
      expect(shown.body).toContain('href="/admin/reports">Moderation</a>');
    }
    expect((await get(harness, '/home', plain.session)).body).not.toContain('>Moderation</a>');
  });

  it('acts only with the CSRF token, only downwards, and a suspension ends the session', async () => {
    const moderator = await member('moderator');
    const admin = await member('admin');
    const target = await member('user');
    const reporter = await member('user');
    const report = await fileReport(harness.database, {
      accountId: reporter.account.id,
      targetAccountId: target.account.id,
    });
    const page = await get(harness, `/admin/reports/${report.id}`, moderator.session);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`@${target.account.username}`);

    const withoutToken = await postForm(
      harness,
      `/admin/accounts/${target.account.id}/action`,
      { type: 'suspend' },
      { session: moderator.session },
    );
    expect(withoutToken.statusCode).toBe(403);
    const upwards = await postForm(
      harness,
      `/admin/accounts/${admin.account.id}/action`,
      { type: 'suspend', csrf_token: moderator.session.csrf },
      { session: moderator.session },
    );
    expect(upwards.statusCode).toBe(403);

    expect((await get(harness, '/home', target.session)).statusCode).toBe(200);
    const suspended = await postForm(
      harness,
      `/admin/accounts/${target.account.id}/action`,
      {
        type: 'suspend',
        note: 'spam',
        report_id: report.id,
        csrf_token: moderator.session.csrf,
        return_to: `/admin/reports/${report.id}`,
      },
      { session: moderator.session },
    );
    expect(suspended.statusCode).toBe(303);
    expect(suspended.headers.location).toBe(`/admin/reports/${report.id}`);
    // The suspended person's session is over: the home page asks them to sign in.
    expect((await get(harness, '/home', target.session)).statusCode).toBe(303);
    expect((await get(harness, `/@${target.account.username}`)).statusCode).toBe(404);
  });
});
