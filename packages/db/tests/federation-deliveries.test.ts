/**
 * The federation delivery ledger: one row per (event, activity, inbox) however often the event arrives,
 * claims that two processes never share, outcomes that move the back-off.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../src/index.js';
import {
  claimDueFederationDeliveries,
  deleteFinishedFederationDeliveries,
  enqueueFederationDeliveries,
  ENQUEUE_BATCH,
  recordFederationDeliveryOutcomes,
} from '../src/federation/index.js';
import { queryRows } from '../src/client.js';
import { createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;
let sender: { id: string; username: string };

beforeAll(async () => {
  database = testDb.database;
  sender = await createAccountFixture(database);
});

function enqueue(
  eventId: string,
  inboxUrls: string[],
  leaseMs = 60_000,
  activities: Record<string, unknown>[] = [{ type: 'Create' }],
) {
  return enqueueFederationDeliveries(database, {
    consumer: 'federation-delivery',
    eventId,
    senderAccountId: sender.id,
    activities,
    inboxUrls,
    leaseMs,
  });
}

async function row(id: string) {
  const [found] = await queryRows<{
    state: string;
    attempts: number;
    due_in_s: number;
    leased: boolean;
  }>(
    database.primary,
    sql`select state, attempts, extract(epoch from next_attempt_at - now())::float8 as due_in_s,
      leased_until is not null as leased from federation_deliveries where id = ${id}`,
  );
  return found!;
}

describe('the federation delivery ledger', () => {
  it('writes each inbox once per event, with the marker, however often the event comes', async () => {
    const eventId = randomUUID();
    const inboxes = ['https://a.example/inbox', 'https://b.example:8443/users/x/inbox'];
    const first = await enqueue(eventId, [...inboxes, inboxes[0]!]);
    expect(first.map((r) => [r.inboxUrl, r.host, r.senderUsername])).toEqual([
      [inboxes[0], 'a.example', sender.username],
      [inboxes[1], 'b.example:8443', sender.username],
    ]);
    expect(await enqueue(eventId, inboxes)).toEqual([]);
    const [marker] = await queryRows<{ n: number }>(
      database.primary,
      sql`select count(*)::int as n from processed_events where event_id = ${eventId}`,
    );
    expect(marker!.n).toBe(1);
  });

  it('writes each of an event’s activities to each inbox once (a vote with several choices)', async () => {
    const eventId = randomUUID();
    const inboxes = ['https://a.example/inbox', 'https://b.example/inbox'];
    const choices = [
      { id: 'https://here.example/users/x#votes/1/0' },
      { id: 'https://here.example/users/x#votes/1/1' },
    ];
    const first = await enqueue(eventId, inboxes, 60_000, choices);
    expect(first.map((r) => [r.inboxUrl, r.activity.id]).sort()).toEqual(
      inboxes.flatMap((inbox) => choices.map((choice) => [inbox, choice.id])).sort(),
    );
    expect(await enqueue(eventId, inboxes, 60_000, choices)).toEqual([]);
  });

  it('writes thousands of inboxes (an actor’s Delete) in batches, each once, once per event', async () => {
    const eventId = randomUUID();
    const count = ENQUEUE_BATCH * 2 + 7;
    const inboxes = Array.from({ length: count }, (_, i) => `https://s${i}.example/inbox`);
    const first = await enqueue(eventId, [...inboxes, ...inboxes.slice(0, 10)]);
    expect(first).toHaveLength(count);
    expect(new Set(first.map((r) => r.inboxUrl)).size).toBe(count);
    expect(await enqueue(eventId, inboxes)).toEqual([]);
    const [written] = await queryRows<{ n: number }>(
      database.primary,
      sql`select count(*)::int as n from federation_deliveries where event_id = ${eventId}`,
    );
    expect(written!.n).toBe(count);
  });

  it('claims only due rows nobody holds, and each once', async () => {
    const [held] = await enqueue(randomUUID(), ['https://held.example/inbox']);
    const [expired] = await enqueue(randomUUID(), ['https://crashed.example/inbox'], -1000);
    const claimed = await claimDueFederationDeliveries(database, { limit: 100, leaseMs: 60_000 });
    const ids = claimed.map((r) => r.id);
    expect(ids).toContain(expired!.id);
    expect(ids).not.toContain(held!.id);
    const again = await claimDueFederationDeliveries(database, { limit: 100, leaseMs: 60_000 });
    expect(again.map((r) => r.id)).not.toContain(expired!.id);
  });

  it('records outcomes: a retry counts and waits, a deferral only waits, the rest are final', async () => {
    const rows = await enqueue(randomUUID(), [
      'https://ok.example/inbox',
      'https://down.example/inbox',
      'https://open.example/inbox',
      'https://gone.example/inbox',
    ]);
    const [ok, down, open, gone] = rows.map((r) => r.id);
    await recordFederationDeliveryOutcomes(database, [
      { id: ok!, result: 'delivered' },
      { id: down!, result: 'retry', retryInMs: 60_000, error: 'HTTP 503' },
      { id: open!, result: 'deferred', retryInMs: 30_000 },
      { id: gone!, result: 'failed', error: 'HTTP 410' },
    ]);
    expect(await row(ok!)).toMatchObject({ state: 'delivered', attempts: 1, leased: false });
    const retried = await row(down!);
    expect(retried).toMatchObject({ state: 'pending', attempts: 1, leased: false });
    expect(retried.due_in_s).toBeGreaterThan(55);
    const deferred = await row(open!);
    expect(deferred).toMatchObject({ state: 'pending', attempts: 0 });
    expect(deferred.due_in_s).toBeGreaterThan(25);
    expect(await row(gone!)).toMatchObject({ state: 'failed', attempts: 1 });
    const due = await claimDueFederationDeliveries(database, { limit: 100, leaseMs: 60_000 });
    expect(due.map((r) => r.id)).not.toContain(down);
  });

  it('deletes finished rows past their retention, never pending ones', async () => {
    const [old, fresh, waiting] = await enqueue(randomUUID(), [
      'https://old.example/inbox',
      'https://fresh.example/inbox',
      'https://waiting.example/inbox',
    ]);
    await recordFederationDeliveryOutcomes(database, [
      { id: old!.id, result: 'delivered' },
      { id: fresh!.id, result: 'failed', error: 'HTTP 404' },
    ]);
    await database.primary.execute(
      sql`update federation_deliveries set created_at = now() - interval '15 days',
        finished_at = case when id = ${old!.id} then now() - interval '15 days' end
        where id in (${old!.id}, ${waiting!.id})`,
    );
    await deleteFinishedFederationDeliveries(database, { olderThanMs: 14 * 24 * 3600_000 });
    const left = await queryRows<{ id: string }>(
      database.primary,
      sql`select id::text from federation_deliveries
        where id in (${old!.id}, ${fresh!.id}, ${waiting!.id}) order by id`,
    );
    expect(left.map((r) => r.id)).toEqual([fresh!.id, waiting!.id]);
  });
});
