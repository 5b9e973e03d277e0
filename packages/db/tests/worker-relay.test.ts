import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type Database } from '../src/index.js';
import { createStatus } from '../src/statuses/index.js';
import {
  deleteProcessedOutboxEvents,
  listenForOutbox,
  outboxBacklog,
  reconcileOutboxBatch,
  relayOutbox,
  settleOutbox,
  type OutboxRow,
  type PublishOutcome,
} from '../src/events/index.js';
import { relayOutboxBatch } from '../src/operations/relay.js';
import { outboxEvents, processedEvents } from '../src/schema/index.js';
import { countStatements, createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;
const handledBy = { PostCreated: ['statistics'], UserMentioned: ['notifications', 'statistics'] };

beforeAll(async () => {
  database = testDb.database;
});
beforeEach(async () => {
  await database.primary.delete(outboxEvents);
});

let seq = 0;
const storeAll = async (rows: readonly OutboxRow[]): Promise<PublishOutcome[]> =>
  rows.map(() => ({ status: 'stored', streamSeq: ++seq }));

async function outboxRows() {
  return database.primary.select().from(outboxEvents).orderBy(outboxEvents.occurredAt);
}

describe('relayOutboxBatch', () => {
  it('publishes pending events oldest first and marks them published with their stream sequence', async () => {
    const author = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: `hi @${bob.username}` });
    const published: string[] = [];
    const result = await relayOutboxBatch(database, {
      limit: 10,
      retryDelayMs: () => 1000,
      publish: async (rows) => {
        published.push(...rows.map((r) => r.event.type));
        return storeAll(rows);
      },
    });
    expect(result).toEqual({ claimed: 2, published: 2, failed: 0 });
    expect(published).toEqual(['PostCreated', 'UserMentioned']);
    const rows = await outboxRows();
    expect(rows.every((r) => r.status === 'published' && r.streamSeq && r.publishedAt)).toBe(true);
    expect(
      (await relayOutboxBatch(database, { limit: 10, retryDelayMs: () => 0, publish: storeAll }))
        .claimed,
    ).toBe(0);
  });

  it('keeps a failed event pending with a later attempt time, then retries it', async () => {
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'hello' });
    const failing = async (rows: readonly OutboxRow[]): Promise<PublishOutcome[]> =>
      rows.map(() => ({ status: 'failed', error: 'TIMEOUT' }));
    expect(
      (
        await relayOutboxBatch(database, {
          limit: 10,
          retryDelayMs: () => 60_000,
          publish: failing,
        })
      ).failed,
    ).toBe(1);
    let [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'TIMEOUT' });
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Not due yet: nothing claimed.
    expect(
      (await relayOutboxBatch(database, { limit: 10, retryDelayMs: () => 0, publish: storeAll }))
        .claimed,
    ).toBe(0);
    await database.primary.update(outboxEvents).set({ nextAttemptAt: sql`now()` });
    expect(
      (await relayOutboxBatch(database, { limit: 10, retryDelayMs: () => 0, publish: storeAll }))
        .published,
    ).toBe(1);
    [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'published', attempts: 1, lastError: null });
  });

  it('publishes an event whose transaction committed after a later one (no id watermark)', async () => {
    const author = await createAccountFixture(database);
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    try {
      // T1 inserts event A first and stays open.
      await client.query('BEGIN');
      await client.query(
        `insert into statuses (account_id, text) values ($1, 'early') returning id`,
        [author.id],
      );
      const early = '0190a000-0000-7000-8000-000000000001';
      await client.query(
        `insert into outbox_events (id, type, payload, occurred_at) values ($1, 'PostCreated', $2, now() - interval '1 minute')`,
        [early, JSON.stringify({ id: early, type: 'PostCreated' })],
      );
      // T2 commits B; the relay publishes B while A's row is invisible.
      await createStatus(database, { accountId: author.id, text: 'late' });
      const first: string[] = [];
      await relayOutboxBatch(database, {
        limit: 10,
        retryDelayMs: () => 0,
        publish: async (rows) => {
          first.push(...rows.map((r) => r.id));
          return storeAll(rows);
        },
      });
      expect(first).toHaveLength(1);
      expect(first).not.toContain(early);
      await client.query('COMMIT');
      const second: string[] = [];
      await relayOutboxBatch(database, {
        limit: 10,
        retryDelayMs: () => 0,
        publish: async (rows) => {
          second.push(...rows.map((r) => r.id));
          return storeAll(rows);
        },
      });
      expect(second).toEqual([early]);
    } finally {
      await client.end();
    }
  });

  it('lets concurrent relays share the work without publishing a row twice', async () => {
    const author = await createAccountFixture(database);
    for (let i = 0; i < 30; i++)
      await createStatus(database, { accountId: author.id, text: `post ${i}` });
    const seen: string[] = [];
    const slowPublish = async (rows: readonly OutboxRow[]) => {
      seen.push(...rows.map((r) => r.id));
      await new Promise((r) => setTimeout(r, 30));
      return storeAll(rows);
    };
    const relay = async () => {
      while (
        (
          await relayOutboxBatch(database, {
            limit: 5,
            retryDelayMs: () => 0,
            publish: slowPublish,
          })
        ).claimed > 0
      );
    };
    await Promise.all([relay(), relay(), relay()]);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect((await outboxBacklog(database)).pending).toBe(0);
  });
  it('claims through the pending index even when the statistics say every row is pending', async () => {
    // Statistics taken while a backlog was pending (after an outage), then the backlog published:
    // an old claim planned from them read the whole table and sorted it, at every claim.
    await database.primary.execute(sql`
      insert into outbox_events (id, type, payload, occurred_at)
      select gen_random_uuid(), 'PostCreated', jsonb_build_object('text', repeat('x', 300)),
        now() - g * interval '1 second'
      from generate_series(1, 10000) g`);
    await database.primary.execute(sql`analyze outbox_events`);
    await database.primary.execute(
      sql`update outbox_events set status = 'published', published_at = now()`,
    );
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'fresh' });

    const statements: { text: string; values: unknown[] }[] = [];
    const original = database.pool.query.bind(database.pool);
    database.pool.query = ((...args: Parameters<typeof original>) => {
      const [query, values] = args as unknown[];
      const config = query as { text?: string; values?: unknown[] };
      const text = typeof query === 'string' ? query : (config.text ?? '');
      statements.push({ text, values: (Array.isArray(values) ? values : config.values) ?? [] });
      return original(...args);
    }) as typeof database.pool.query;
    let claimed: string[] = [];
    try {
      await relayOutboxBatch(database, {
        limit: 100,
        retryDelayMs: () => 0,
        publish: async (rows) => {
          claimed = rows.map((row) => row.type);
          return storeAll(rows);
        },
      });
    } finally {
      database.pool.query = original as typeof database.pool.query;
    }
    expect(claimed).toEqual(['PostCreated']);

    const claim = statements.find((s) => /for update skip locked/i.test(s.text));
    expect(claim).toBeDefined();
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
        `explain (format json) ${claim!.text}`,
        claim!.values,
      );
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>): void => {
        if (node['Relation Name'] === 'outbox_events') scans.push(String(node['Node Type']));
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? [])
          walk(child);
      };
      walk((rows[0]!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
      expect(scans.length).toBeGreaterThan(0);
      expect(scans).not.toContain('Seq Scan');
    } finally {
      await client.end();
    }
  });
});

describe('relayOutbox (a whole pass)', () => {
  it('publishes batch after batch in one statement each: recording a batch claims the next', async () => {
    const author = await createAccountFixture(database);
    for (let i = 0; i < 7; i++)
      await createStatus(database, { accountId: author.id, text: `post ${i}` });
    const batches: string[][] = [];
    const { result, statements } = await countStatements(database, () =>
      relayOutbox(database, {
        limit: 3,
        retryDelayMs: () => 0,
        publish: async (rows) => {
          batches.push(rows.map((r) => r.id));
          return storeAll(rows);
        },
      }),
    );
    expect(result).toEqual({ claimed: 7, published: 7, failed: 0 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    // Oldest first across the batches, each row once.
    expect(batches.flat()).toEqual((await outboxRows()).map((r) => r.id));
    // The first claim, then one statement per batch (the last one finds nothing more to claim).
    expect(statements).toBe(4);
    expect((await outboxBacklog(database)).pending).toBe(0);
  });

  it('at a trickle, records each event in the statement that claims the next (deferLastSettle)', async () => {
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'first' });
    const options = { limit: 10, retryDelayMs: () => 0, publish: storeAll, deferLastSettle: true };
    const first = await relayOutbox(database, options);
    expect(first).toMatchObject({ claimed: 1, published: 1, failed: 0 });
    expect(first.unsettled?.rows).toHaveLength(1);
    // Published and not recorded yet: still pending, and leased away from any other claim.
    expect((await outboxRows()).map((r) => r.status)).toEqual(['pending']);
    expect((await relayOutboxBatch(database, { ...options, limit: 10 })).claimed).toBe(0);

    await createStatus(database, { accountId: author.id, text: 'second' });
    const { result: second, statements } = await countStatements(database, () =>
      relayOutbox(database, { ...options, unsettled: first.unsettled }),
    );
    // One statement recorded the first event and claimed the second.
    expect(statements).toBe(1);
    expect(second).toMatchObject({ claimed: 1, published: 1, failed: 0 });
    let rows = await outboxRows();
    expect(rows.map((r) => r.status)).toEqual(['published', 'pending']);
    expect(rows[0]!.streamSeq).not.toBeNull();

    // A lull: the deferred batch is recorded on its own.
    await settleOutbox(database, second.unsettled!, { retryDelayMs: () => 0 });
    rows = await outboxRows();
    expect(rows.every((r) => r.status === 'published' && r.streamSeq !== null)).toBe(true);
    expect((await outboxBacklog(database)).pending).toBe(0);
  });

  it('defers only a batch that was not full and had no failure', async () => {
    const author = await createAccountFixture(database);
    for (let i = 0; i < 3; i++)
      await createStatus(database, { accountId: author.id, text: `post ${i}` });
    const full = await relayOutbox(database, {
      limit: 3,
      retryDelayMs: () => 0,
      publish: storeAll,
      deferLastSettle: true,
    });
    // A full batch may have left rows behind: it is recorded at once and the next claim finds none.
    expect(full).toEqual({ claimed: 3, published: 3, failed: 0 });
    expect((await outboxRows()).every((r) => r.status === 'published')).toBe(true);

    await createStatus(database, { accountId: author.id, text: 'failing' });
    const failed = await relayOutbox(database, {
      limit: 3,
      retryDelayMs: () => 60_000,
      publish: async (rows) => rows.map(() => ({ status: 'failed', error: 'TIMEOUT' })),
      deferLastSettle: true,
    });
    expect(failed).toEqual({ claimed: 1, published: 0, failed: 1 });
    expect((await outboxRows()).at(-1)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('ends the pass at a failed publish: the failed rows back off, the others wait', async () => {
    const author = await createAccountFixture(database);
    for (let i = 0; i < 5; i++)
      await createStatus(database, { accountId: author.id, text: `post ${i}` });
    const result = await relayOutbox(database, {
      limit: 2,
      retryDelayMs: () => 60_000,
      publish: async (rows) => rows.map(() => ({ status: 'failed', error: 'TIMEOUT' })),
    });
    expect(result).toEqual({ claimed: 2, published: 0, failed: 2 });
    const rows = await outboxRows();
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 0, 0, 0]);
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
  });

  it('hides a claimed batch from other relays without holding a lock, until its lease ends', async () => {
    const author = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: 'one' });
    let releaseFirst: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let claimedByFirst: () => void = () => {};
    const firstClaimed = new Promise<void>((resolve) => (claimedByFirst = resolve));
    // A relay stuck in the middle of publishing (or dead) keeps its rows for the lease only.
    const stuck = relayOutboxBatch(database, {
      limit: 10,
      leaseMs: 60_000,
      retryDelayMs: () => 0,
      publish: async (rows) => {
        claimedByFirst();
        await firstHeld;
        return storeAll(rows);
      },
    });
    await firstClaimed;
    const second = { limit: 10, retryDelayMs: () => 0, publish: storeAll };
    expect((await relayOutboxBatch(database, second)).claimed).toBe(0);
    // No row lock is held meanwhile: the row can be read and updated.
    await database.primary.update(outboxEvents).set({ nextAttemptAt: sql`now()` });
    expect((await relayOutboxBatch(database, second)).published).toBe(1);
    releaseFirst();
    expect((await stuck).published).toBe(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'published', attempts: 0 });
  });
});

describe('reconcileOutboxBatch and retention', () => {
  it('republishes published events a consumer has not processed in time, and deletes old processed ones', async () => {
    const author = await createAccountFixture(database);
    const bob = await createAccountFixture(database);
    await createStatus(database, { accountId: author.id, text: `hi @${bob.username}` });
    await relayOutboxBatch(database, { limit: 10, retryDelayMs: () => 0, publish: storeAll });
    await database.primary
      .update(outboxEvents)
      .set({ publishedAt: sql`now() - interval '10 minutes'` });
    const [post, mention] = await outboxRows();
    // PostCreated fully processed; UserMentioned processed by statistics only.
    await database.primary.insert(processedEvents).values([
      { consumer: 'statistics', eventId: post!.id },
      { consumer: 'statistics', eventId: mention!.id },
    ]);

    const republished: string[] = [];
    const options = {
      handledBy,
      olderThanMs: 5 * 60_000,
      limit: 10,
      recheckAfterMs: 60_000,
      retryAfterMs: 1000,
      publish: async (rows: readonly OutboxRow[]) => {
        republished.push(...rows.map((r) => r.id));
        return storeAll(rows);
      },
    };
    expect(await reconcileOutboxBatch(database, options)).toMatchObject({
      found: 1,
      republished: 1,
    });
    expect(republished).toEqual([mention!.id]);
    const after = await outboxRows();
    expect(after.find((r) => r.id === mention!.id)!.republishCount).toBe(1);
    // Checked again only after recheckAfterMs.
    expect((await reconcileOutboxBatch(database, options)).found).toBe(0);

    await database.primary
      .update(outboxEvents)
      .set({ publishedAt: sql`now() - interval '8 days'` });
    expect(await deleteProcessedOutboxEvents(database, { handledBy })).toBe(1);
    expect((await outboxRows()).map((r) => r.id)).toEqual([mention!.id]);
  });
});

describe('listenForOutbox', () => {
  it('is woken when a transaction that wrote events commits', async () => {
    let wakeUps = 0;
    const listener = await listenForOutbox(testDb.url, () => wakeUps++);
    try {
      const initial = wakeUps;
      const author = await createAccountFixture(database);
      await createStatus(database, { accountId: author.id, text: 'wake up' });
      const deadline = Date.now() + 2000;
      while (wakeUps === initial && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(wakeUps).toBeGreaterThan(initial);
    } finally {
      await listener.close();
    }
  });
});
