import { type Database } from '@murmur/db';
import { upsertRemoteAccount } from '@murmur/db/federation';
import { createStatus } from '@murmur/db/statuses';
import { remoteAccountFixture } from '@murmur/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActivityWeek, InstanceV1, InstanceV2, NodeInfo } from '../src/schemas/entities.js';
import type { ApiInstance } from '../src/plugins/context.js';
import { expectSchema, json, ORIGIN, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse, expectMastodonSchema } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;

useServer((server) => ({ app, database, alice } = server), {
  MAX_STATUS_CHARACTERS: '280',
  INSTANCE_TITLE: 'Test Murmur',
  // The default, admin@localhost, is not an address Mastodon's schema accepts (no dotted domain).
  INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
});

beforeAll(async () => {
  await createStatus(database, { accountId: alice.id, text: 'counted' });
});

describe('instance', () => {
  it('v2 publishes the configured limits, version, API version and a loadable thumbnail', async () => {
    const instance = json(await app.inject({ url: '/api/v2/instance' }));
    expectSchema(InstanceV2, instance);
    expectMastodonSchema('Instance', instance);
    expect(instance).toMatchObject({
      domain: 'murmur.test',
      title: 'Test Murmur',
      version: '4.3.0 (compatible; Murmur 0.1.0)',
      api_versions: { mastodon: 2 },
      rules: [],
      usage: { users: { active_month: 1 } },
      configuration: {
        // Only what is served: grouped notifications (API version 2), the streaming API.
        urls: { streaming: 'wss://murmur.test' },
        statuses: { max_characters: 280, characters_reserved_per_url: 23 },
      },
      registrations: { enabled: true },
    });
    const thumbnail = await app.inject({ url: new URL(instance.thumbnail.url).pathname });
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/png');
  });

  it('v1 has stats, streaming_api and the limits', async () => {
    const instance = json(await app.inject({ url: '/api/v1/instance' }));
    expectSchema(InstanceV1, instance);
    expectMastodonSchema('V1Instance', instance);
    expect(instance).toMatchObject({
      uri: 'murmur.test',
      urls: { streaming_api: 'wss://murmur.test' },
      stats: { user_count: 2, status_count: 1 },
      thumbnail: `${ORIGIN}/api/v1/instance/thumbnail.png`,
      configuration: { statuses: { max_characters: 280 } },
    });
  });

  it('the configured limit is the one posting enforces', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: alice.headers,
      payload: { status: 'x'.repeat(281) },
    });
    expect(json(response, 422).error).toBe(
      'Validation failed: Text character limit of 280 exceeded',
    );
  });

  it('activity rolls the daily statistics into 12 weeks of strings', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await database.pool.query(
      `insert into daily_stats (day, posts, logins, new_accounts) values ($1, 4, 2, 1)`,
      [today],
    );
    const weeks = json(await app.inject({ url: '/api/v1/instance/activity' }));
    expect(weeks).toHaveLength(12);
    for (const week of weeks) expectSchema(ActivityWeek, week);
    expect(weeks[0]).toMatchObject({ statuses: '4', logins: '2', registrations: '1' });
    expect(Number(weeks[0].week)).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('rules and custom emojis are public and empty', async () => {
    for (const path of ['/api/v1/instance/rules', '/api/v1/custom_emojis']) {
      expect(json(await app.inject({ url: path }))).toEqual([]);
    }
  });

  it('peers are the domains of known remote accounts, but suspended servers', async () => {
    for (const [username, domain] of [
      ['ann', 'social.example'],
      ['ben', 'social.example'],
      ['cid', 'other.example:8443'],
      ['dee', 'gone.example'],
    ] as const) {
      await upsertRemoteAccount(database, remoteAccountFixture({ username, domain }));
    }
    await database.pool.query(
      `insert into instance_domain_blocks (domain, severity) values ('gone.example', 'suspend')`,
    );
    const response = await app.inject({ url: '/api/v1/instance/peers' });
    expectMastodonResponse(response);
    expect(json(response)).toEqual(['other.example:8443', 'social.example']);
  });

  it('nodeinfo names murmur with mastodon upstream (megalodon detection) and counts usage', async () => {
    const discovery = json(await app.inject({ url: '/.well-known/nodeinfo' }));
    expect(discovery.links).toEqual([
      { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${ORIGIN}/nodeinfo/2.0` },
    ]);
    const nodeinfo = json(await app.inject({ url: '/nodeinfo/2.0' }));
    expectSchema(NodeInfo, nodeinfo);
    expect(nodeinfo).toMatchObject({
      software: { name: 'murmur' },
      metadata: { upstream: { name: 'mastodon' } },
      usage: { users: { total: 2, activeMonth: 1 }, localPosts: 1 },
    });
  });
});

describe('start-up stubs', () => {
  it('answer empty lists with a user token', async () => {
    const paths = [
      '/api/v1/lists',
      '/api/v1/filters',
      '/api/v2/filters',
      '/api/v1/follow_requests',
      '/api/v1/favourites',
      '/api/v1/announcements',
      '/api/v1/blocks',
      '/api/v1/mutes',
      '/api/v1/conversations',
      '/api/v1/trends/tags',
      '/api/v1/trends/statuses',
    ];
    for (const path of paths) {
      expect({
        path,
        body: json(await app.inject({ url: `${path}?limit=`, headers: alice.headers })),
      }).toEqual({ path, body: [] });
    }
    expect(json(await app.inject({ url: '/api/v1/trends/tags' }))).toEqual([]);
    json(await app.inject({ url: '/api/v1/lists' }), 401);
  });

  it('push subscription is 404 while the server has no VAPID keys, saying why', async () => {
    expect(
      json(await app.inject({ url: '/api/v1/push/subscription', headers: alice.headers }), 404),
    ).toEqual({
      error: expect.stringMatching(/^Web Push is not available on this server: .*VAPID/),
    });
  });
});
