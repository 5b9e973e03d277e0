/**
 * Reports and the admin API as clients call them: a person files a report, a moderator works the
 * queue and acts on the account. Responses are checked against Mastodon's description (the routes
 * it describes) and its AdminAccount / AdminReport / Report entities (the admin routes it does not).
 */
import { type Database } from '@murmur/db';
import { addInstanceRule, setAccountRole } from '@murmur/db/moderation';
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { CookieJar, csrfFrom, FIXTURE_PASSWORD, form, FORM } from './_helpers.js';
import { json, signedInUser, tokenFor, useServer, type TestUser } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server), {
  INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
});

async function staff(role: 'moderator' | 'admin' | 'owner'): Promise<TestUser> {
  const user = await signedInUser(database, { scopes: ['read', 'write'] });
  await setAccountRole(database, { moderatorId: null, accountId: user.id, role });
  const token = await tokenFor(database, user.id, ['read', 'write', 'admin:read', 'admin:write']);
  return { ...user, token, headers: { authorization: `Bearer ${token}` } };
}

function inject(method: 'GET' | 'POST', url: string, user: TestUser, payload?: object) {
  return app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });
}

describe('reports and the admin API', () => {
  it('files a report (Report entity), shows the rules, and notifies moderators', async () => {
    const moderator = await staff('moderator');
    const rule = await addInstanceRule(database, { moderatorId: null, text: 'No spam' });
    const rules = await app.inject({ method: 'GET', url: '/api/v1/instance/rules' });
    expectMastodonResponse(rules);
    expect(json(rules)).toEqual([{ id: rule.id, text: 'No spam', hint: '' }]);
    const instance = await app.inject({ method: 'GET', url: '/api/v2/instance' });
    expect(json(instance).rules).toEqual([{ id: rule.id, text: 'No spam', hint: '' }]);

    const posted = json(
      await inject('POST', '/api/v1/statuses', bob, { status: 'buy cheap watches' }),
    );
    const response = await inject('POST', '/api/v1/reports', alice, {
      account_id: bob.id,
      status_ids: [posted.id],
      comment: 'Spam',
      rule_ids: [rule.id],
    });
    expectMastodonResponse(response);
    const report = json(response);
    expect(report).toMatchObject({
      category: 'violation',
      comment: 'Spam',
      action_taken: false,
      status_ids: [posted.id],
      rule_ids: [rule.id],
      target_account: { id: bob.id },
    });

    await deliverNotifications(database);
    const notifications = json(
      await inject('GET', '/api/v1/notifications?types[]=admin.report', moderator),
    );
    expect(notifications.map((n: { type: string }) => n.type)).toContain('admin.report');

    const unknown = await inject('POST', '/api/v1/reports', alice, { account_id: '123' });
    expect(unknown.statusCode).toBe(404);
    const foreign = await inject('POST', '/api/v1/reports', alice, {
      account_id: bob.id,
      status_ids: ['1'],
    });
    expect(foreign.statusCode).toBe(422);
  });

  it('a moderator works the queue, resolves with a suspension, and the token stops at once', async () => {
    const moderator = await staff('moderator');
    const target = await signedInUser(database);
    const report = json(
      await inject('POST', '/api/v1/reports', alice, { account_id: target.id, category: 'spam' }),
    );

    const queue = await inject('GET', '/api/v1/admin/reports', moderator);
    const listed = json(queue);
    for (const entry of listed) expectMastodonSchema('AdminReport', entry);
    expect(listed.map((r: { id: string }) => r.id)).toContain(report.id);

    const assigned = json(
      await inject('POST', `/api/v1/admin/reports/${report.id}/assign_to_self`, moderator),
    );
    expectMastodonSchema('AdminReport', assigned);
    expect(assigned.assigned_account.id).toBe(moderator.id);
    expect(assigned.target_account).toMatchObject({ id: target.id, suspended: false });

    expect((await inject('GET', '/api/v1/accounts/verify_credentials', target)).statusCode).toBe(
      200,
    );
    const action = await inject('POST', `/api/v1/admin/accounts/${target.id}/action`, moderator, {
      type: 'suspend',
      report_id: report.id,
      text: 'Spam only',
    });
    expect(action.statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/accounts/verify_credentials', target)).statusCode).toBe(
      401,
    );
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/accounts/${target.id}` })).statusCode,
    ).toBe(404);

    const resolved = json(await inject('GET', `/api/v1/admin/reports/${report.id}`, moderator));
    expect(resolved).toMatchObject({
      action_taken: true,
      action_taken_by_account: { id: moderator.id },
      target_account: { suspended: true },
    });
    const shown = json(await inject('GET', `/api/v1/admin/accounts/${target.id}`, moderator));
    expectMastodonSchema('AdminAccount', shown);
    expect(shown).toMatchObject({ suspended: true, role: { name: '' } });
    const suspendedList = json(
      await inject('GET', '/api/v2/admin/accounts?status=suspended', moderator),
    );
    for (const entry of suspendedList) expectMastodonSchema('AdminAccount', entry);
    expect(suspendedList.map((a: { id: string }) => a.id)).toEqual([target.id]);

    // Signing in again says why it is refused.
    const jar = new CookieJar();
    const page = await app.inject({ method: 'GET', url: '/oauth/sign_up' });
    jar.store(page);
    const signIn = await app.inject({
      method: 'POST',
      url: '/oauth/sign_in',
      headers: { ...FORM, cookie: jar.header() },
      payload: form({
        csrf_token: csrfFrom(page.body),
        login: target.username,
        password: FIXTURE_PASSWORD,
      }),
    });
    expect(signIn.statusCode).toBe(403);
    expect(signIn.body).toContain('suspended by the moderators');

    const restored = json(
      await inject('POST', `/api/v1/admin/accounts/${target.id}/unsuspend`, moderator),
    );
    expect(restored.suspended).toBe(false);
    expect((await inject('GET', '/api/v1/accounts/verify_credentials', target)).statusCode).toBe(
      200,
    );
  });

  it('shows the role on the credential account', async () => {
    const admin = await staff('admin');
    const me = json(await inject('GET', '/api/v1/accounts/verify_credentials', admin));
    expectMastodonSchema('CredentialAccount', me);
    expect(me.role).toMatchObject({ id: '2', name: 'Admin', highlighted: true });
    expect(Number(me.role.permissions) & (1 << 4)).toBeTruthy(); // manage_reports
  });

  it('refuses plain users (403), tokens without admin scopes (403), and acts only downwards', async () => {
    for (const url of [
      '/api/v1/admin/reports',
      '/api/v1/admin/accounts',
      '/api/v2/admin/accounts',
      `/api/v1/admin/accounts/${bob.id}`,
    ]) {
      const plain = await tokenFor(database, alice.id, ['admin:read']);
      const response = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${plain}` },
      });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 });
    }
    const plainWrite = await tokenFor(database, alice.id, ['admin:write']);
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${bob.id}/action`,
      headers: { authorization: `Bearer ${plainWrite}` },
      payload: { type: 'suspend' },
    });
    expect(refused.statusCode).toBe(403);

    const moderator = await staff('moderator');
    // A moderator's token without admin scopes.
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/admin/reports',
          headers: { authorization: `Bearer ${await tokenFor(database, moderator.id, ['read'])}` },
        })
      ).statusCode,
    ).toBe(403);
    const admin = await staff('admin');
    const upwards = await inject('POST', `/api/v1/admin/accounts/${admin.id}/action`, moderator, {
      type: 'silence',
    });
    expect(upwards.statusCode).toBe(403);
    const sideways = await inject(
      'POST',
      `/api/v1/admin/accounts/${(await staff('moderator')).id}/action`,
      moderator,
      { type: 'disable' },
    );
    expect(sideways.statusCode).toBe(403);
    const badType = await inject('POST', `/api/v1/admin/accounts/${bob.id}/action`, moderator, {
      type: 'obliterate',
    });
    expect(badType.statusCode).toBe(422);
  });
});
