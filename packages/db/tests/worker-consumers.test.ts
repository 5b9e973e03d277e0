import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { type Database } from '../src/index.js';
import {
  computeDailyStatsFromSources,
  countEventsInDailyStats,
  finalizeFinishedDays,
  getDailyStats,
  type StatisticsEvent,
  utcDay,
} from '../src/statistics/index.js';
import { createStatus, deleteStatus } from '../src/statuses/index.js';
import {
  countProcessedEvents,
  markEventProcessed,
  markEventsProcessed,
  recordDeadLetter,
  recordEmailOutcome,
} from '../src/events/index.js';
import { addDays } from '../src/operations/statistics.js';
import { claimEmailDelivery } from '../src/operations/email-deliveries.js';
import { emailDeliveries } from '../src/schema/index.js';
import {
  createAccountFixture,
  createTestDatabase,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';
import type { UserMentioned } from '@murmur/events';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

async function mentionPost() {
  const author = await createAccountFixture(database);
  const bob = await createAccountFixture(database);
  const status = await createStatus(database, {
    accountId: author.id,
    text: `hi @${bob.username}`,
  });
  const input = { statusId: status.id, authorId: author.id, recipientId: bob.id };
  return { author, bob, status, input };
}

describe('email ledger', () => {
  it('lets one caller claim a send, derives the Message-ID from the delivery id, and never reopens unknown', async () => {
    const { bob } = await mentionPost();
    const key = {
      eventId: '0190a000-0000-7000-8000-00000000b001',
      recipientAccountId: bob.id,
      kind: 'mention',
      messageIdDomain: 'murmur.test',
      staleSendingAfterMs: 60_000,
    };
    const claims = await Promise.all([1, 2, 3].map(() => claimEmailDelivery(database, key)));
    const claimed = claims.filter((c) => c.state === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'in-progress')).toHaveLength(2);
    const delivery = claimed[0]!.delivery;
    expect(delivery.messageId).toBe(`<mention-${delivery.id}@murmur.test>`);

    expect(
      await recordEmailOutcome(database, delivery.id, { status: 'pending', error: 'ECONNREFUSED' }),
    ).toBe(true);
    const again = await claimEmailDelivery(database, key);
    expect(again).toMatchObject({ state: 'claimed', delivery: { attempts: 2 } });
    expect(
      await recordEmailOutcome(database, delivery.id, {
        status: 'unknown',
        error: 'timeout after DATA',
      }),
    ).toBe(true);
    expect(await claimEmailDelivery(database, key)).toMatchObject({
      state: 'finished',
      delivery: { status: 'unknown' },
    });
  });

  it('turns a send abandoned mid-way (worker crash) into unknown, not into a resend', async () => {
    const { bob } = await mentionPost();
    const key = {
      eventId: '0190a000-0000-7000-8000-00000000b002',
      recipientAccountId: bob.id,
      kind: 'mention',
      messageIdDomain: 'murmur.test',
      staleSendingAfterMs: 1000,
    };
    expect((await claimEmailDelivery(database, key)).state).toBe('claimed');
    await database.primary
      .update(emailDeliveries)
      .set({ updatedAt: sql`now() - interval '1 minute'` })
      .where(eq(emailDeliveries.eventId, key.eventId));
    expect(await claimEmailDelivery(database, key)).toMatchObject({
      state: 'finished',
      delivery: { status: 'unknown' },
    });
  });
});

describe('processed-event markers of events that asked nothing', () => {
  it('marks a batch, once per event however often it repeats, for that consumer only', async () => {
    const ids = Array.from({ length: 300 }, () => crypto.randomUUID());
    await markEventProcessed(database, 'marker-test-b', ids[0]!);
    await markEventsProcessed(database, 'marker-test-a', [...ids, ids[0]!]);
    await markEventsProcessed(database, 'marker-test-a', ids.slice(0, 10));
    await markEventsProcessed(database, 'marker-test-a', []);
    expect(await countProcessedEvents(database, 'marker-test-a')).toBe(300);
    expect(await countProcessedEvents(database, 'marker-test-b')).toBe(1);
    // The reconciler's question, "has this consumer processed this event", answered for each.
    const { rows } = await database.pool.query<{ n: string }>(
      `select count(*) as n from processed_events where consumer = 'marker-test-a'
       and event_id = any($1::uuid[])`,
      [ids],
    );
    expect(Number(rows[0]!.n)).toBe(300);
  });
});

describe('dead letters', () => {
  it('stores one row per consumer and stream sequence', async () => {
    const letter = {
      consumer: 'statistics',
      subject: 's',
      streamSeq: 7,
      payload: '{bad\u0000',
      error: 'invalid',
      deliveryCount: 1,
    };
    expect(await recordDeadLetter(database, letter)).toBe(true);
    expect(await recordDeadLetter(database, letter)).toBe(false);
  });
});

/** The outbox's posts and mentions as the statistics consumer counts them. */
async function statisticsEventsOf(db: Database): Promise<StatisticsEvent[]> {
  const events = await outboxEvents(db, ['PostCreated', 'UserMentioned']);
  return events.map((event) =>
    event.type === 'PostCreated'
      ? {
          eventId: event.id,
          type: 'PostCreated',
          createdAt: event.data.createdAt,
          accountId: event.data.accountId,
        }
      : {
          eventId: event.id,
          type: 'UserMentioned',
          statusId: (event as UserMentioned).data.statusId,
          mentionedAccountId: (event as UserMentioned).data.mentionedAccountId,
        },
  );
}

/** Three accounts; alice posts twice, mentioning bob, carol and herself in the first post. */
async function postsWithMentions(db: Database) {
  const alice = await createAccountFixture(db);
  const bob = await createAccountFixture(db);
  const carol = await createAccountFixture(db);
  await createStatus(db, {
    accountId: alice.id,
    text: `hi @${bob.username} @${carol.username} @${alice.username}`,
  });
  await createStatus(db, { accountId: alice.id, text: 'second' });
  return { alice, bob, carol };
}

describe('daily statistics', () => {
  it('recomputing a finished day gives the live numbers, and running it twice changes nothing', async () => {
    const stats = await createTestDatabase();
    const db = stats.database;
    try {
      const { alice, bob, carol } = await postsWithMentions(db);
      const gone = await createStatus(db, {
        accountId: bob.id,
        text: `@${alice.username} soon deleted`,
      });
      await deleteStatus(db, { accountId: bob.id, statusId: gone.id });

      // Live path: every outbox event applied once.
      await countEventsInDailyStats(db, 'statistics', await statisticsEventsOf(db));
      const today = utcDay(new Date());
      const live = (await getDailyStats(db.primary, today))!;
      expect(live).toMatchObject({ posts: 3, mentions: 3, activeAccounts: 2, finalizedAt: null });
      const computed = await computeDailyStatsFromSources(db.primary, today);
      expect(computed).toMatchObject({ posts: 3, mentions: 3, activeAccounts: 2, newAccounts: 3 });

      // The day ends: finalization recomputes it from the tables.
      const tomorrow = addDays(today, 1);
      expect(await finalizeFinishedDays(db, { today: tomorrow })).toEqual([today]);
      const finalized = (await getDailyStats(db.primary, today))!;
      expect(finalized).toMatchObject({ posts: 3, mentions: 3, activeAccounts: 2, newAccounts: 3 });
      expect(finalized.finalizedAt).not.toBeNull();
      expect(await finalizeFinishedDays(db, { today: tomorrow })).toEqual([]);
      // A late live event for a finalized day is not counted twice.
      await countEventsInDailyStats(db, 'statistics', [
        {
          eventId: '0190a000-0000-7000-8000-00000000c001',
          type: 'PostCreated',
          createdAt: new Date(),
          accountId: carol.id,
        },
      ]);
      expect(await getDailyStats(db.primary, today)).toEqual(finalized);
      // Logins have no source table: a late sign-in still counts on a finalized day.
      await countEventsInDailyStats(db, 'statistics', [
        {
          eventId: '0190a000-0000-7000-8000-00000000c002',
          type: 'SignedIn',
          occurredAt: new Date(),
        },
      ]);
      expect(await getDailyStats(db.primary, today)).toMatchObject({
        ...finalized,
        logins: finalized.logins + 1,
      });
    } finally {
      await stats.destroy();
    }
  });
});

describe('batched live statistics (the statistics consumer)', () => {
  it('counts a batch like the one-by-one path, counts a repeated or duplicated event once, and agrees with the recompute', async () => {
    const stats = await createTestDatabase();
    const db = stats.database;
    try {
      const { alice, bob } = await postsWithMentions(db);
      await createStatus(db, { accountId: bob.id, text: `@${alice.username} back` });
      const events = await statisticsEventsOf(db);
      const [first, ...rest] = events;
      // One event alone, then every event (the first one again, and one id twice) in one batch.
      expect(await countEventsInDailyStats(db, 'statistics', [first!])).toEqual(
        new Set([first!.eventId]),
      );
      const login = {
        eventId: '0190a000-0000-7000-8000-00000000d001',
        type: 'SignedIn' as const,
        occurredAt: new Date(),
      };
      const done = await countEventsInDailyStats(db, 'statistics', [...events, rest[0]!, login]);
      expect(done).toEqual(new Set([...rest.map((e) => e.eventId), login.eventId]));
      const today = utcDay(new Date());
      const live = (await getDailyStats(db.primary, today))!;
      expect(live).toMatchObject({ posts: 3, mentions: 3, activeAccounts: 2, logins: 1 });
      expect(await computeDailyStatsFromSources(db.primary, today)).toMatchObject({
        posts: 3,
        mentions: 3,
        activeAccounts: 2,
      });
      // A full repeat changes nothing.
      expect((await countEventsInDailyStats(db, 'statistics', events)).size).toBe(0);
      expect(await getDailyStats(db.primary, today)).toEqual(live);
    } finally {
      await stats.destroy();
    }
  });
});
