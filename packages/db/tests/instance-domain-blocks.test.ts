/**
 * What an instance domain block covers (the domain, any port of it, its subdomains; not a longer
 * name that merely ends the same) and the delivery side of a suspension: what waits for the server
 * is dropped and nothing new is queued for it, while other servers are served as before.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../src/index.js';
import {
  anyHostSuspended,
  enqueueFederationDeliveries,
  instanceDomainPolicy,
} from '../src/federation/index.js';
import { blockInstanceDomain, unblockInstanceDomain } from '../src/moderation/index.js';
import { queryRows } from '../src/client.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;
let sender: { id: string };

beforeAll(async () => {
  database = testDb.database;
  sender = await createAccountFixture(database);
});

function enqueue(inboxUrls: string[]) {
  return enqueueFederationDeliveries(database, {
    consumer: 'federation-delivery',
    eventId: randomUUID(),
    senderAccountId: sender.id,
    activities: [{ type: 'Create' }],
    inboxUrls,
    leaseMs: 60_000,
  });
}

const block = (domain: string, severity: 'silence' | 'suspend' | 'noop') =>
  blockInstanceDomain(database, {
    moderatorId: null,
    domain,
    localDomain: 'murmur.test',
    severity,
  });

describe('instance domain blocks', () => {
  it('cover the domain on any port and its subdomains, nothing else', async () => {
    const { id } = await block('evil.example', 'suspend');
    for (const host of ['evil.example', 'EVIL.example:8443', 'a.b.evil.example']) {
      expect(await anyHostSuspended(database.primary, [host]), host).toBe(true);
    }
    for (const host of ['notevil.example', 'evil.example.org', 'example']) {
      expect(await anyHostSuspended(database.primary, [host]), host).toBe(false);
    }
    expect(await instanceDomainPolicy(database.primary, 'x.evil.example')).toEqual({
      severity: 'suspend',
      rejectMedia: false,
      rejectReports: false,
    });
    await unblockInstanceDomain(database, { moderatorId: null, id });
    expect(await anyHostSuspended(database.primary, ['evil.example'])).toBe(false);
  });

  it('a silenced or noop server is still delivered to; a suspended one is not', async () => {
    await block('quiet.example', 'silence');
    await block('watched.example', 'noop');
    const pending = await enqueue([
      'https://gone.example/inbox',
      'https://quiet.example/inbox',
      'https://watched.example/inbox',
    ]);
    expect(pending).toHaveLength(3);

    await block('gone.example', 'suspend');
    const states = await queryRows<{ host: string; state: string; lastError: string | null }>(
      database.primary,
      sql`select host, state, last_error as "lastError" from federation_deliveries
        where id = any(${sql.param(pending.map((row) => row.id))}::bigint[]) order by host`,
    );
    expect(states).toEqual([
      {
        host: 'gone.example',
        state: 'failed',
        lastError: 'the server is suspended by this instance',
      },
      { host: 'quiet.example', state: 'pending', lastError: null },
      { host: 'watched.example', state: 'pending', lastError: null },
    ]);

    const next = await enqueue(['https://gone.example/inbox', 'https://quiet.example/inbox']);
    expect(next.map((row) => row.host)).toEqual(['quiet.example']);
  });
});
