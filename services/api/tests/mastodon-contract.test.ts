/**
 * The contract: every main endpoint's body matches the entity schema clients rely on (required
 * fields present, arrays never null, ids strings, timestamps with milliseconds and Z) and what
 * Mastodon's own description documents for it (tests/_openapi.ts), and every Mastodon route is
 * documented in the OpenAPI document.
 */
import { type Database } from '@murmur/db';
import { createStatus, favouriteStatus, reblogStatus } from '@murmur/db/statuses';
import { followAccount } from '@murmur/db/follows';
import { deliverNotifications } from '@murmur/db/testing';
import Type, { type TSchema } from 'typebox';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Account,
  Context,
  CredentialAccount,
  InstanceV1,
  InstanceV2,
  Markers,
  Notification,
  Preferences,
  Relationship,
  Search,
  Status,
} from '../src/schemas/entities.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { expectSchema, json, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;
let statusId: string;
let replyId: string;

// The default contact, admin@localhost, has a domain without a dot, which the `email` format of
// Mastodon's description refuses; a deployment sets its own (INSTANCE_CONTACT_EMAIL).
useServer((server) => ({ app, database, alice, bob } = server), {
  INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
});

beforeAll(async () => {
  await followAccount(database, { accountId: alice.id, targetAccountId: bob.id });
  await followAccount(database, { accountId: bob.id, targetAccountId: alice.id });
  const status = await createStatus(database, {
    accountId: bob.id,
    text: `Hello @${alice.username} #contract https://example.com`,
    spoilerText: 'cw',
    language: 'en',
  });
  statusId = status.id;
  replyId = (
    await createStatus(database, { accountId: alice.id, text: 'reply', inReplyToId: status.id })
  ).id;
  await favouriteStatus(database, { accountId: alice.id, statusId: status.id });
  await reblogStatus(database, { accountId: alice.id, statusId: status.id });
  await favouriteStatus(database, { accountId: bob.id, statusId: replyId });
  // Notifications are the worker's: run its notify step over the events written so far.
  await deliverNotifications(database);
});

describe('response bodies match the entity schemas', () => {
  const cases: [string, () => string, TSchema, boolean][] = [
    ['verify_credentials', () => '/api/v1/accounts/verify_credentials', CredentialAccount, true],
    ['account', () => `/api/v1/accounts/${bob.id}`, Account, false],
    ['account statuses', () => `/api/v1/accounts/${alice.id}/statuses`, Type.Array(Status), true],
    ['followers', () => `/api/v1/accounts/${bob.id}/followers`, Type.Array(Account), false],
    [
      'relationships',
      () => `/api/v1/accounts/relationships?id[]=${bob.id}`,
      Type.Array(Relationship),
      true,
    ],
    ['status', () => `/api/v1/statuses/${statusId}`, Status, true],
    ['context', () => `/api/v1/statuses/${statusId}/context`, Context, true],
    ['home', () => '/api/v1/timelines/home', Type.Array(Status), true],
    ['public anonymous', () => '/api/v1/timelines/public', Type.Array(Status), false],
    ['tag', () => '/api/v1/timelines/tag/contract', Type.Array(Status), false],
    ['notifications', () => '/api/v1/notifications', Type.Array(Notification), true],
    ['search', () => '/api/v2/search?q=contract', Search, true],
    ['markers', () => '/api/v1/markers?timeline[]=home', Markers, true],
    ['preferences', () => '/api/v1/preferences', Preferences, true],
    ['instance v1', () => '/api/v1/instance', InstanceV1, false],
    ['instance v2', () => '/api/v2/instance', InstanceV2, false],
  ];

  for (const [name, path, schema, signedIn] of cases) {
    it(name, async () => {
      const response = await app.inject({ url: path(), headers: signedIn ? alice.headers : {} });
      const body = json(response);
      expectSchema(schema, body);
      expectMastodonResponse(response);
      if (Array.isArray(body)) expect(body.length).toBeGreaterThan(0);
    });
  }

  it('a home timeline holds a reblog whose original is a full Status', async () => {
    const home = json(await app.inject({ url: '/api/v1/timelines/home', headers: bob.headers }));
    const reblog = home.find((s: { reblog: unknown }) => s.reblog !== null);
    expect(reblog.reblog).toMatchObject({ id: statusId, spoiler_text: 'cw', language: 'en' });
    const notifications = json(
      await app.inject({ url: '/api/v1/notifications', headers: bob.headers }),
    );
    expect(notifications.map((n: { type: string }) => n.type).sort()).toEqual([
      'favourite',
      'follow',
      'reblog',
    ]);
  });
});

describe('OpenAPI', () => {
  it('documents every Mastodon route with tags and a summary', async () => {
    const document = json(await app.inject({ url: '/api/openapi.json' }));
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>,
    )) {
      if (!/^\/(api\/v[12]\/(?!apps)|nodeinfo|\.well-known\/nodeinfo)/.test(path)) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.summary || !operation.tags?.length)
          undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(undocumented).toEqual([]);
    expect(Object.keys(document.paths)).toContain('/api/v1/statuses/{id}/context');
  });
});
