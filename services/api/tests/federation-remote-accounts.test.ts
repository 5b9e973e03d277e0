/**
 * Two Murmur servers on loopback (127.0.0.1 and 127.0.0.2, their own databases and ports): a
 * person on one finds a person on the other by `user@host`, through WebFinger and the actor
 * document, as a Mastodon server does; the account is stored and served like a local one.
 */
import { updateProfile } from '@murmur/db/accounts';
import { freePort } from '@murmur/devkit/net';
import { createRestAPIClient } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, startServer, type TestServer, type TestUser } from './_mastodon.js';
import { expectMastodonSchema } from './_openapi.js';

const LOOPBACK = '127.0.0.0/8';
// Two loopback addresses: two hosts, as two servers on the internet are.
const A_ORIGIN = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
const B_ORIGIN = `http://127.0.0.2:${await freePort('127.0.0.2')}`;
const B_HOST = new URL(B_ORIGIN).host;

let a: TestServer;
let b: TestServer;
let refusing: TestServer;
let alice: TestUser;
let bob: TestUser;

async function listen(server: TestServer, origin: string): Promise<void> {
  const url = new URL(origin);
  await server.app.listen({ host: url.hostname, port: Number(url.port) });
}

beforeAll(async () => {
  a = await startServer({ PUBLIC_URL: A_ORIGIN, ALLOWED_PRIVATE_ADDRESSES: LOOPBACK });
  b = await startServer({ PUBLIC_URL: B_ORIGIN, ALLOWED_PRIVATE_ADDRESSES: LOOPBACK });
  refusing = await startServer({ PUBLIC_URL: 'http://127.0.0.1:4173' });
  await listen(a, A_ORIGIN);
  await listen(b, B_ORIGIN);
  alice = await signedInUser(a.database, { username: 'alice' });
  bob = await signedInUser(b.database, { username: 'bob' });
  await updateProfile(b.database, bob.id, {
    displayName: 'Bob on B',
    note: 'Hello from <b>B</b> & friends',
  });
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await refusing?.close();
});

describe('remote accounts', () => {
  it('lookup finds user@host on the other server and stores it', async () => {
    const response = await a.app.inject({
      url: `/api/v1/accounts/lookup?acct=bob@${B_HOST}`,
      headers: alice.headers,
    });
    expect(response.statusCode).toBe(200);
    const account = response.json();
    expectMastodonSchema('Account', account);
    expect(account).toMatchObject({
      username: 'bob',
      acct: `bob@${B_HOST}`,
      display_name: 'Bob on B',
      uri: `${B_ORIGIN}/users/bob`,
      url: `${B_ORIGIN}/@bob`,
    });
    // The note is kept as text and rendered escaped, like every note.
    expect(account.note).toContain('Hello from &lt;b&gt;B&lt;/b&gt; &amp; friends');

    const shown = await a.app.inject({ url: `/api/v1/accounts/${account.id}` });
    expect(shown.json()).toMatchObject({ id: account.id, acct: `bob@${B_HOST}` });

    // Asked again, it is the same stored account.
    const again = await a.app.inject({ url: `/api/v1/accounts/lookup?acct=@bob@${B_HOST}` });
    expect(again.json().id).toBe(account.id);
  });

  it('search with resolve=true finds a handle on another server', async () => {
    const response = await a.app.inject({
      url: `/api/v2/search?resolve=true&type=accounts&q=${encodeURIComponent(`@bob@${B_HOST}`)}`,
      headers: alice.headers,
    });
    expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 200 });
    const { accounts } = response.json();
    expect(accounts[0]).toMatchObject({ acct: `bob@${B_HOST}`, display_name: 'Bob on B' });
  });

  it('masto.js on one server finds and reads the person on the other', async () => {
    const client = createRestAPIClient({ url: A_ORIGIN, accessToken: alice.token });
    const found = await client.v1.accounts.lookup({ acct: `bob@${B_HOST}` });
    expect(found).toMatchObject({ acct: `bob@${B_HOST}`, displayName: 'Bob on B' });
    const shown = await client.v1.accounts.$select(found.id).fetch();
    expect(shown).toMatchObject({ id: found.id, url: `${B_ORIGIN}/@bob` });
    const search = await client.v2.search.list({ q: `@bob@${B_HOST}`, resolve: true });
    expect(search.accounts.map((account) => account.acct)).toContain(`bob@${B_HOST}`);
  });

  it('a local name is still the local account; an unknown remote one is a 404', async () => {
    const local = await b.app.inject({ url: `/api/v1/accounts/lookup?acct=bob@${B_HOST}` });
    expect(local.json()).toMatchObject({ id: bob.id, acct: 'bob' });
    const unknown = await a.app.inject({
      url: `/api/v1/accounts/lookup?acct=nobody_here@${B_HOST}`,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('without ALLOWED_PRIVATE_ADDRESSES a loopback server is never asked', async () => {
    const response = await refusing.app.inject({
      url: `/api/v1/accounts/lookup?acct=bob@${B_HOST}`,
    });
    expect(response.statusCode).toBe(404);
  });
});
