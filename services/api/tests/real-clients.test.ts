/**
 * The API's acceptance test: real Mastodon client libraries, unmodified, against the running service
 * over HTTP. megalodon (used by Whalebird and others) detects the server, registers an app and gets a
 * token; masto.js (used by Elk and Phanpy) calls the API and pages by following `Link` headers.
 */
import { deliverNotifications } from '@murmur/db/testing';
import { freePort } from '@murmur/devkit/net';
import { createRestAPIClient } from 'masto';
import { detector, Mastodon } from 'megalodon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeInBrowser,
  createAccountFixture,
  createTestApp,
  type TestApp,
} from './_helpers.js';

let t: TestApp;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  t = await createTestApp({ env: { PUBLIC_URL: url } });
  await t.app.listen({ port, host: '127.0.0.1' });
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
