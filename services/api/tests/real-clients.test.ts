/**
 * The API's acceptance test: real Mastodon client libraries, unmodified, against the running service
 * over HTTP. megalodon (used by Whalebird and others) detects the server, registers an app and gets a
 * token; masto.js (used by Elk and Phanpy) calls the API and pages by following `Link` headers.
 */
import { deliverNotifications } from '@murmur/db/testing';
import { createRestAPIClient } from 'masto';
import { detector, Mastodon } from 'megalodon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeInBrowser,
  createAccountFixture,
  createListeningTestApp,
  type TestApp,
} from './_helpers.js';

let t: TestApp;
let url: string;

beforeAll(async () => {
  ({ t, url } = await createListeningTestApp());
});
afterAll(() => t?.close());

async function signInWithMegalodon(username: string): Promise<string> {
  const client = new Mastodon(url);
  const app = await client.registerApp('Megalodon acceptance', {
    scopes: ['read', 'write', 'follow'],
  });
  const authorizeUrl = new URL(app.url!);
  expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${url}/oauth/authorize`);
  const { response } = await authorizeInBrowser(t.app, {
    query: Object.fromEntries(authorizeUrl.searchParams),
    login: username,
  });
  // Out-of-band redirect: the code is shown on the page for the person to paste into the app.
  const code = /<code class="oob">([^<]+)<\/code>/.exec(response.body)?.[1];
  expect(code).toBeTruthy();
  const token = await client.fetchAccessToken(app.client_id, app.client_secret, code!);
  return token.access_token;
}

describe('megalodon', () => {
  it('detects a Mastodon server and completes the out-of-band sign-in', async () => {
    expect(await detector(url)).toBe('mastodon');
    await createAccountFixture(t.database, { username: 'mega_user' });
    const token = await signInWithMegalodon('mega_user');
    const client = new Mastodon(url, token);
    const me = await client.verifyAccountCredentials();
    expect(me.data.username).toBe('mega_user');
    const instance = await client.getInstance();
    expect(instance.data.uri).toBeTruthy();
    const posted = await client.postStatus('Hello from megalodon #clients', {});
    expect('id' in posted.data && posted.data.id).toMatch(/^\d+$/);
    const home = await client.getHomeTimeline({ limit: 5 });
    expect(home.data.map((s: { content: string }) => s.content)).toContain(
      (posted.data as { content: string }).content,
    );
  });
});

describe('masto.js', () => {
  it('posts, mentions, reads notifications and pages the public timeline through Link headers', async () => {
    await createAccountFixture(t.database, { username: 'masto_author' });
    await createAccountFixture(t.database, { username: 'masto_reader' });
    const author = createRestAPIClient({
      url,
      accessToken: await signInWithMegalodon('masto_author'),
    });
    const reader = createRestAPIClient({
      url,
      accessToken: await signInWithMegalodon('masto_reader'),
    });

    const me = await author.v1.accounts.verifyCredentials();
    expect(me.username).toBe('masto_author');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const status = await author.v1.statuses.create({ status: `page test ${i} @masto_reader` });
      created.push(status.id);
    }
    const context = await reader.v1.statuses.$select(created[0]!).context.fetch();
    expect(context).toEqual({ ancestors: [], descendants: [] });

    const seen: string[] = [];
    for await (const page of author.v1.timelines.public.list({ limit: 2 })) {
      seen.push(...page.map((s) => s.id));
      if (seen.length >= 6) break;
    }
    // Newest first, across pages: masto.js only pages by following rel="next".
    expect(seen.slice(0, 5)).toEqual([...created].reverse());

    const favourited = await reader.v1.statuses.$select(created[4]!).favourite();
    expect(favourited.favourited).toBe(true);
    const relationship = await reader.v1.accounts.$select(me.id).follow();
    expect(relationship.following).toBe(true);
    // Notifications are the worker's: run its notify step over the events written so far.
    await deliverNotifications(t.database);
    const notifications = await author.v1.notifications.list({ limit: 10 });
    expect(notifications.map((n) => n.type).sort()).toEqual(['favourite', 'follow']);
  });
});

describe('masto.js grouped notifications (client.v2.notifications)', () => {
  it('lists groups, fetches one with its accounts, counts unread groups and dismisses', async () => {
    const names = ['grouped_author', 'grouped_fan_1', 'grouped_fan_2'];
    for (const username of names) await createAccountFixture(t.database, { username });
    const [author, ...fans] = await Promise.all(
      names.map(async (username) =>
        createRestAPIClient({ url, accessToken: await signInWithMegalodon(username) }),
      ),
    );
    const post = await author!.v1.statuses.create({ status: 'Favourite me' });
    for (const fan of fans) {
      await fan.v1.statuses.$select(post.id).favourite();
      await fan.v1.accounts.$select((await author!.v1.accounts.verifyCredentials()).id).follow();
    }
    await deliverNotifications(t.database);

    const page = await author!.v2.notifications.list({ limit: 10 });
    const groups = page.notificationGroups.map((g) => [g.type, g.notificationsCount]);
    expect(groups).toEqual([
      ['follow', 2],
      ['favourite', 2],
    ]);
    const favourites = page.notificationGroups[1]!;
    expect('statusId' in favourites && favourites.statusId).toBe(post.id);
    expect(page.statuses.map((s) => s.id)).toEqual([post.id]);
    expect(page.accounts.map((a) => a.username).sort()).toEqual(['grouped_fan_1', 'grouped_fan_2']);

    const one = await author!.v2.notifications.$select(favourites.groupKey).fetch();
    expect(one.notificationGroups.map((g) => g.groupKey)).toEqual([favourites.groupKey]);
    const accounts = await author!.v2.notifications.$select(favourites.groupKey).accounts.fetch();
    expect(accounts.map((a) => a.username)).toEqual(['grouped_fan_2', 'grouped_fan_1']);
    expect(await author!.v2.notifications.unreadCount.fetch()).toEqual({ count: 2 });

    await author!.v2.notifications.$select(favourites.groupKey).dismiss();
    const after = await author!.v2.notifications.list();
    expect(after.notificationGroups.map((g) => g.type)).toEqual(['follow']);
  });
});
