/**
 * Annual reports as Mastodon apps call them: a year is `ineligible` until its December, `eligible`
 * once open for someone who posted, `available` once made; the report counts the person's year
 * (posts by kind, top posts, hashtags, whom they replied to and boosted, months) and names the
 * accounts and statuses it points at. Every body is checked against Mastodon's own description.
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { createTestApp, type TestApp } from './_helpers.js';
import { json, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let t: TestApp;
let app: ApiInstance;
let database: Database;
const year = new Date().getUTCFullYear();
/** The server's clock: set per test (a year's reports open in its December). */
let now = new Date(Date.UTC(year, 11, 20));

beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  ({ app, database } = t);
});
afterAll(() => t?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked against the description
async function call<T = any>(
  method: 'GET' | 'POST',
  url: string,
  user: TestUser,
  status = 200,
): Promise<T> {
  const response = await app.inject({ method, url, headers: user.headers });
  const body = json<T>(response, status);
  // A refusal is Murmur's usual `{error}` (the description's 422 adds Rails' `details`).
  if (status !== 422) expectMastodonResponse(response);
  return body;
}

describe('annual reports', () => {
  it('are ineligible before the year’s December and for someone who did not post', async () => {
    const quiet = await signedInUser(database);
    const poster = await signedInUser(database);
    await createStatus(database, { accountId: poster.id, text: 'hello' });
    now = new Date(Date.UTC(year, 5, 1));
    expect(await call('GET', `/api/v1/annual_reports/${year}/state`, poster)).toEqual({
      state: 'ineligible',
    });
    const early = await call('POST', `/api/v1/annual_reports/${year}/generate`, poster, 422);
    expect(early.error).toMatch(/not available/);
    now = new Date(Date.UTC(year, 11, 20));
    expect(await call('GET', `/api/v1/annual_reports/${year}/state`, quiet)).toEqual({
      state: 'ineligible',
    });
    await call('POST', `/api/v1/annual_reports/${year}/generate`, quiet, 422);
    expect(await call('GET', `/api/v1/annual_reports/${year}/state`, poster)).toEqual({
      state: 'eligible',
    });
    await call('GET', `/api/v1/annual_reports/${year}`, poster, 404);
    await call('POST', `/api/v1/annual_reports/${year}/read`, poster, 404);
    await call('GET', '/api/v1/annual_reports/notayear', poster, 404);
  });

  it('sums up the year, names what it points at, and is kept once made', async () => {
    const me = await signedInUser(database);
    const friend = await signedInUser(database);
    const fan = await signedInUser(database);
    await followAccount(database, { accountId: fan.id, targetAccountId: me.id });
    await followAccount(database, { accountId: me.id, targetAccountId: friend.id });
    const popular = await createStatus(database, { accountId: me.id, text: 'big news #murmur' });
    await createStatus(database, { accountId: me.id, text: 'more #murmur and #tests' });
    const theirs = await createStatus(database, { accountId: friend.id, text: 'a question' });
    await createStatus(database, {
      accountId: me.id,
      text: `@${friend.username} an answer`,
      inReplyToId: theirs.id,
    });
    await reblogStatus(database, { accountId: me.id, statusId: theirs.id });
    await favouriteStatus(database, { accountId: fan.id, statusId: popular.id });
    await reblogStatus(database, { accountId: fan.id, statusId: popular.id });

    expect(await call('POST', `/api/v1/annual_reports/${year}/generate`, me)).toEqual({});
    expect(await call('GET', `/api/v1/annual_reports/${year}/state`, me)).toEqual({
      state: 'available',
    });
    const wrapped = await call('GET', `/api/v1/annual_reports/${year}`, me);
    const [report] = wrapped.annual_reports;
    expectMastodonSchema('AnnualReport', report);
    const month = new Date().getUTCMonth() + 1;
    expect(report).toMatchObject({
      year,
      account_id: me.id,
      schema_version: 1,
      share_url: null,
      data: {
        archetype: 'lurker',
        type_distribution: { total: 4, reblogs: 1, replies: 1, standalone: 2 },
        top_statuses: { by_reblogs: popular.id, by_favourites: popular.id, by_replies: null },
        top_hashtags: [
          { name: 'murmur', count: 2 },
          { name: 'tests', count: 1 },
        ],
        commonly_interacted_with_accounts: [{ account_id: friend.id, count: 1 }],
        most_reblogged_accounts: [{ account_id: friend.id, count: 1 }],
      },
    });
    expect(report.data.time_series).toHaveLength(12);
    expect(report.data.time_series[month - 1]).toEqual({
      month,
      statuses: 4,
      following: 1,
      followers: 1,
    });
    expect(wrapped.accounts.map((a: { id: string }) => a.id)).toEqual([friend.id]);
    expect(wrapped.statuses.map((s: { id: string }) => s.id)).toEqual([popular.id]);

    // Made once: later posts do not change it.
    await createStatus(database, { accountId: me.id, text: 'after the report' });
    await call('POST', `/api/v1/annual_reports/${year}/generate`, me);
    const list = await call('GET', '/api/v1/annual_reports', me);
    expect(list.annual_reports).toHaveLength(1);
    expect(list.annual_reports[0].data.type_distribution.total).toBe(4);
    expect(await call('POST', `/api/v1/annual_reports/${year}/read`, me)).toEqual({});
    // Nobody else's.
    expect((await call('GET', '/api/v1/annual_reports', friend)).annual_reports).toEqual([]);
  });
});
