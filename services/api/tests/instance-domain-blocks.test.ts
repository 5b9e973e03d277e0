/**
 * Instance domain blocks as moderators and apps use them through masto.js, unmodified, over HTTP:
 * a moderator silences, then suspends, then lifts a block on a server; its accounts follow (limited,
 * hidden, follows ended, restored), the public list shows what the operator chose, and every change
 * is an event and an audit line. Responses are checked against Mastodon's description.
 */
import { createHash } from 'node:crypto';
import { authorizeFollowRequest, followAccount, relationships } from '@murmur/db/follows';
import { receiveRemoteStatus, upsertRemoteAccount } from '@murmur/db/federation';
import {
  adminAccountsById,
  listAuditLog,
  setAccountRole,
  takeAccountAction,
} from '@murmur/db/moderation';
import { outboxEvents, remoteAccountFixture, remoteStatusFixture } from '@murmur/db/testing';
import { createRestAPIClient, MastoHttpError } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountFixture, createListeningTestApp, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let t: TestApp;
let url: string;

beforeAll(async () => {
  ({ t, url } = await createListeningTestApp());
});
afterAll(() => t?.close());

async function client(username: string, scopes: string[]) {
  const account = await createAccountFixture(t.database, { username });
  const accessToken = await tokenFor(t.database, account.id, scopes);
  return { id: account.id, accessToken, client: createRestAPIClient({ url, accessToken }) };
}

async function moderatorClient(username: string) {
  const moderator = await client(username, ['read', 'write', 'admin:read', 'admin:write']);
  await setAccountRole(t.database, {
    moderatorId: null,
    accountId: moderator.id,
    role: 'moderator',
  });
  return moderator;
}

function remoteAccount(username: string, domain: string) {
  return upsertRemoteAccount(t.database, remoteAccountFixture({ username, domain }));
}

async function state(accountId: string) {
  const [account] = await adminAccountsById(t.database.primary, [accountId]);
  return { silenced: account?.silenced, suspended: account?.suspended };
}

async function relationWith(viewerId: string, otherId: string) {
  const [relationship] = await relationships(t.database.primary, viewerId, [otherId]);
  return { following: relationship?.following, followedBy: relationship?.followedBy };
}

describe('instance domain blocks', () => {
  it('silences, suspends and lifts a server through masto.js, and its accounts follow', async () => {
    const moderator = await moderatorClient('dbmod');
    const reader = await client('dbreader', ['read', 'write']);
    const before = await remoteAccount('spammer', 'spam.example');
    const otherModerated = await remoteAccount('troll', 'spam.example');
    // A moderator's own suspension of one account must survive the lifting of the block.
    await takeAccountAction(t.database, {
      moderatorId: null,
      accountId: otherModerated,
      type: 'suspend',
    });
    const innocent = await remoteAccount('friend', 'fine.example');

    const remotePost = async (accountId: string, text: string) =>
      (
        await receiveRemoteStatus(
          t.database,
          remoteStatusFixture({
            accountId,
            uri: `https://spam.example/notes/${text.replace(/\W/g, '')}`,
            text,
          }),
        )
      ).id;
    const spamPost = await remotePost(before, 'buy now');
    const federated = async () =>
      (await reader.client.v1.timelines.public.list({ remote: true, limit: 40 })).map(
        (status) => status.id,
      );
    expect(await federated()).toContain(spamPost);

    const block = await moderator.client.v1.admin.domainBlocks.create({
      domain: 'Spam.Example',
      severity: 'silence',
      publicComment: 'Spam, mostly',
      privateComment: 'see report 12',
      obfuscate: true,
    });
    expect(block).toMatchObject({
      domain: 'spam.example',
      severity: 'silence',
      publicComment: 'Spam, mostly',
      privateComment: 'see report 12',
      obfuscate: true,
      rejectMedia: false,
    });
    expect(await state(before)).toEqual({ silenced: true, suspended: false });
    expect(await state(innocent)).toEqual({ silenced: false, suspended: false });
    // Limited: out of the public timelines (still readable on its own).
    expect(await federated()).not.toContain(spamPost);
    expect((await reader.client.v1.statuses.$select(spamPost).fetch()).id).toBe(spamPost);
    // An account of the server (a subdomain included) met later is limited from the start.
    const later = await remoteAccount('newcomer', 'social.spam.example');
    expect(await state(later)).toEqual({ silenced: true, suspended: false });

    const listed = await moderator.client.v1.admin.domainBlocks.list();
    expect(listed.map((entry) => entry.id)).toContain(block.id);

    // The public list: masked as the block says, with the digest of the real domain.
    const digest = createHash('sha256').update('spam.example').digest('hex');
    const publicList = await reader.client.v1.instance.domainBlocks.fetch();
    expect(publicList).toEqual([
      { domain: 's***.example', digest, severity: 'silence', comment: 'Spam, mostly' },
    ]);
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/instance/domain_blocks',
      headers: { authorization: `Bearer ${reader.accessToken}` },
    });
    expectMastodonResponse(response);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/instance/domain_blocks' });
    expect(anonymous.statusCode).toBe(401);

    // Suspending: the accounts are hidden, follows both ways end, nothing more is sent.
    // Following a remote account is a request its server accepts.
    await followAccount(t.database, { accountId: reader.id, targetAccountId: before });
    await authorizeFollowRequest(t.database, { accountId: reader.id, targetAccountId: before });
    await followAccount(t.database, { accountId: before, targetAccountId: reader.id });
    expect(await relationWith(reader.id, before)).toEqual({ following: true, followedBy: true });
    const suspended = await moderator.client.v1.admin.domainBlocks
      .$select(block.id)
      .update({ severity: 'suspend' });
    expect(suspended).toMatchObject({ severity: 'suspend', publicComment: 'Spam, mostly' });
    expect(await state(before)).toEqual({ silenced: false, suspended: true });
    expect(await relationWith(reader.id, before)).toEqual({ following: false, followedBy: false });
    await expect(reader.client.v1.accounts.$select(before).fetch()).rejects.toBeInstanceOf(
      MastoHttpError,
    );
    const unfollowed = await outboxEvents(t.database, ['AccountUnfollowed']);
    expect(unfollowed.map((event) => event.data)).toEqual(
      expect.arrayContaining([
        { accountId: reader.id, targetAccountId: before },
        { accountId: before, targetAccountId: reader.id },
      ]),
    );

    // Lifting: what the block set is undone; the moderator's own suspension stays.
    await moderator.client.v1.admin.domainBlocks.$select(block.id).remove();
    expect(await state(before)).toEqual({ silenced: false, suspended: false });
    expect(await state(later)).toEqual({ silenced: false, suspended: false });
    expect(await state(otherModerated)).toEqual({ silenced: false, suspended: true });
    expect(await federated()).toContain(spamPost);
    expect(await reader.client.v1.instance.domainBlocks.fetch()).toEqual([]);

    const events = await outboxEvents(t.database, [
      'InstanceDomainBlocked',
      'InstanceDomainUnblocked',
    ]);
    expect(events.map((event) => [event.type, event.data])).toEqual([
      [
        'InstanceDomainBlocked',
        {
          domainBlockId: block.id,
          domain: 'spam.example',
          severity: 'silence',
          moderatorId: moderator.id,
        },
      ],
      [
        'InstanceDomainBlocked',
        {
          domainBlockId: block.id,
          domain: 'spam.example',
          severity: 'suspend',
          moderatorId: moderator.id,
        },
      ],
      [
        'InstanceDomainUnblocked',
        { domainBlockId: block.id, domain: 'spam.example', moderatorId: moderator.id },
      ],
    ]);
    const audit = await listAuditLog(t.database.primary, { limit: 20 });
    expect(
      audit
        .filter((entry) => entry.targetType === 'DomainBlock')
        .map((entry) => [entry.action, entry.targetLabel, entry.note]),
    ).toEqual([
      ['destroy_domain_block', 'spam.example', ''],
      ['update_domain_block', 'spam.example', 'suspend, obfuscated'],
      ['create_domain_block', 'spam.example', 'silence, obfuscated'],
    ]);
  });

  it('answers bad input with 422 and non-moderators with 403, never a 500', async () => {
    const moderator = await moderatorClient('dbmod2');
    const person = await client('dbperson', ['read', 'write', 'admin:read', 'admin:write']);
    const post = (token: string, payload: object) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/domain_blocks',
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
    expect((await post(person.accessToken, { domain: 'x.example' })).statusCode).toBe(403);
    for (const payload of [
      { domain: 'not a domain' },
      { domain: '' },
      { domain: new URL(url).host },
      { domain: 'ok.example', severity: 'obliterate' },
      { domain: 'ok.example', public_comment: 'x'.repeat(1001) },
    ]) {
      const response = await post(moderator.accessToken, payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(422);
      expect(response.json().error).toEqual(expect.any(String));
    }
    expect((await post(moderator.accessToken, { domain: 'twice.example' })).statusCode).toBe(200);
    const again = await post(moderator.accessToken, { domain: 'twice.example' });
    expect(again.statusCode).toBe(422);
    expect(again.json().error).toMatch(/already blocked/);
    const missing = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/admin/domain_blocks/12345',
      headers: { authorization: `Bearer ${moderator.accessToken}` },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('lists noop blocks only to moderators', async () => {
    const moderator = await moderatorClient('dbmod3');
    const noop = await moderator.client.v1.admin.domainBlocks.create({
      domain: 'watched.example',
      severity: 'noop',
      rejectMedia: true,
    });
    expect(noop).toMatchObject({ severity: 'noop', rejectMedia: true });
    const publicList = await moderator.client.v1.instance.domainBlocks.fetch();
    expect(publicList.map((entry) => entry.domain)).not.toContain('watched.example');
    for (const entry of publicList) expectMastodonSchema('DomainBlock', entry);
  });
});
