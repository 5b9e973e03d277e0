import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import {
  addDays,
  claimEmailDelivery,
  computeDailyStatsFromSources,
  countEventsInDailyStats,
  countMentionInDailyStats,
  countPostInDailyStats,
  createStatus,
  deleteStatus,
  finalizeFinishedDays,
  getDailyStats,
  loadMentionContext,
  processEventOnce,
  recordDeadLetter,
  recordEmailOutcome,
  recordMentionProcessed,
  startMentionNotification,
  type StatisticsEvent,
  utcDay,
  type Database,
} from '../src/index.js';
import { emailDeliveries, notifications, outboxEvents } from '../src/schema/index.js';
import { createAccountFixture, createTestDatabase, useTestDatabase } from '../src/testing/index.js';

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

describe('processEventOnce and mention notifications', () => {
  it('applies an effect once however often the event is processed', async () => {
    const { bob, input } = await mentionPost();
    const eventId = '0190a000-0000-7000-8000-00000000a001';
    const results = await Promise.all(
      [1, 2, 3].map(() => recordMentionProcessed(database, 'notifications', eventId, input)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await database.primary
      .select()
      .from(notifications)
      .where(eq(notifications.accountId, bob.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'mention',
      fromAccountId: input.authorId,
      statusId: input.statusId,
    });
  });

  it('creates nothing for a deleted post or a self-mention, but still marks the event processed', async () => {
    const { author, bob, status, input } = await mentionPost();
    await deleteStatus(database, { accountId: author.id, statusId: status.id });
    expect(await loadMentionContext(database.primary, input)).toBeNull();
    expect(
      await recordMentionProcessed(
        database,
        'notifications',
        '0190a000-0000-7000-8000-00000000a002',
        input,
      ),
    ).toBe(true);
    expect(
      await loadMentionContext(database.primary, { ...input, recipientId: author.id }),
    ).toBeNull();
    const rows = await database.primary
      .select()
      .from(notifications)
      .where(eq(notifications.accountId, bob.id));
    expect(rows).toHaveLength(0);
  });

  it('rolls the effect back when the work fails, so a redelivery can apply it', async () => {
    const eventId = '0190a000-0000-7000-8000-00000000a003';
    await expect(
      processEventOnce(database, 'statistics', eventId, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await processEventOnce(database, 'statistics', eventId, async () => 'ok')).toEqual({
      processed: true,
      result: 'ok',
    });
  });
});

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
      const events = await db.primary.select().from(outboxEvents);
      for (const row of events) {
        const event = row.payload as { type: string; data: Record<string, string> };
        await processEventOnce(db, 'statistics', row.id, async (tx) => {
          if (event.type === 'PostCreated') {
            await countPostInDailyStats(tx, {
              createdAt: event.data.createdAt!,
              accountId: event.data.accountId!,
            });
          } else {
            await countMentionInDailyStats(tx, {
              statusId: event.data.statusId!,
              mentionedAccountId: event.data.mentionedAccountId!,
            });
          }
        });
      }
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
      await processEventOnce(db, 'statistics', '0190a000-0000-7000-8000-00000000c001', (tx) =>
        countPostInDailyStats(tx, { createdAt: new Date(), accountId: carol.id }),
      );
      expect(await getDailyStats(db.primary, today)).toEqual(finalized);
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
      const events: StatisticsEvent[] = (await db.primary.select().from(outboxEvents)).map(
        (row) => {
          const event = row.payload as { type: string; data: Record<string, string> };
          return event.type === 'PostCreated'
            ? {
                eventId: row.id,
                type: 'PostCreated',
                createdAt: event.data.createdAt!,
                accountId: event.data.accountId!,
              }
            : {
                eventId: row.id,
                type: 'UserMentioned',
                statusId: event.data.statusId!,
                mentionedAccountId: event.data.mentionedAccountId!,
              };
        },
      );
      const [first, ...rest] = events;
      // One event alone, then every event (the first one again, and one id twice) in one batch.
      expect(await countEventsInDailyStats(db, 'statistics', [first!])).toEqual(
        new Set([first!.eventId]),
      );
      const other = { eventId: '0190a000-0000-7000-8000-00000000d001', type: 'other' as const };
      const done = await countEventsInDailyStats(db, 'statistics', [...events, rest[0]!, other]);
      expect(done).toEqual(new Set([...rest.map((e) => e.eventId), other.eventId]));
      const today = utcDay(new Date());
      const live = (await getDailyStats(db.primary, today))!;
      expect(live).toMatchObject({ posts: 3, mentions: 3, activeAccounts: 2 });
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

describe('the notifications consumer in few round trips', () => {
  it('starts a mention once: context and notification, then "processed" after the final step, which also records the sent e-mail', async () => {
    const { bob, input } = await mentionPost();
    const eventId = '0190a000-0000-7000-8000-00000000e001';
    const start = await startMentionNotification(database.primary, 'notifications', eventId, input);
    expect(start).toMatchObject({
      processed: false,
      context: { statusId: input.statusId, recipient: { id: bob.id, email: bob.email } },
    });
    const shown = await database.primary
      .select()
      .from(notifications)
      .where(eq(notifications.accountId, bob.id));
    expect(shown).toHaveLength(1);

    const key = { eventId, recipientAccountId: bob.id, kind: 'mention' };
    const claim = await claimEmailDelivery(database, {
      ...key,
      messageIdDomain: 'example.test',
      staleSendingAfterMs: 60_000,
    });
    expect(claim.state).toBe('claimed');
    expect(claim.delivery).toMatchObject({ status: 'sending', attempts: 1 });
    // A second delivery while the first is sending must not send.
    expect(
      (
        await claimEmailDelivery(database, {
          ...key,
          messageIdDomain: 'example.test',
          staleSendingAfterMs: 60_000,
        })
      ).state,
    ).toBe('in-progress');
    expect(
      await recordMentionProcessed(database, 'notifications', eventId, input, {
        sentDeliveryId: claim.delivery.id,
      }),
    ).toBe(true);
    const [ledger] = await database.primary
      .select()
      .from(emailDeliveries)
      .where(eq(emailDeliveries.eventId, eventId));
    expect(ledger).toMatchObject({ status: 'sent', attempts: 1 });
    expect(
      await startMentionNotification(database.primary, 'notifications', eventId, input),
    ).toEqual({ processed: true });
    expect(
      await startMentionNotification(database.primary, 'notifications', eventId, {
        ...input,
        recipientId: input.authorId,
      }),
    ).toEqual({ processed: true });
    const after = await database.primary
      .select()
      .from(notifications)
      .where(eq(notifications.accountId, bob.id));
    expect(after).toHaveLength(1);
  });

  it('gives no context for a self-mention', async () => {
    const { author, input } = await mentionPost();
    expect(
      await startMentionNotification(
        database.primary,
        'notifications',
        '0190a000-0000-7000-8000-00000000e002',
        { ...input, recipientId: author.id },
      ),
    ).toEqual({ processed: false, context: null });
  });
});
