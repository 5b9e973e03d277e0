/**
 * The notifications consumer's batched steps: what many events handled at once get, each as if it
 * had been handled alone, in one statement per step.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { createEvent, type UserMentioned } from '@murmur/events';
import { type Database } from '../src/index.js';
import { applyNotificationChanges, recordMentionsProcessed } from '../src/notifications/index.js';
import {
  claimEmailDeliveries,
  recordEmailOutcome,
  type EmailDeliveryRequest,
} from '../src/events/index.js';
import { createStatus, deleteStatus } from '../src/statuses/index.js';
import { emailDeliveries, notifications, processedEvents } from '../src/schema/index.js';
import { countStatements, createAccountFixture, useTestDatabase } from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

const CONSUMER = 'notifications';
const CLAIM_OPTIONS = { messageIdDomain: 'murmur.test', staleSendingAfterMs: 60_000 };

/** A post by a new author mentioning each of `recipients`; one UserMentioned event per recipient. */
async function postMentioning(recipients: { id: string; username: string }[]) {
  const author = await createAccountFixture(database);
  const status = await createStatus(database, {
    accountId: author.id,
    text: `hello ${recipients.map((r) => `@${r.username}`).join(' ')}`,
  });
  const mentionOf = (recipient: { id: string }): Mention => {
    const event = createEvent(
      'UserMentioned',
      { statusId: status.id, accountId: author.id, mentionedAccountId: recipient.id },
      null,
    );
    return { eventId: event.id, recipientId: recipient.id, event };
  };
  return { author, status, mentionOf };
}

interface Mention {
  eventId: string;
  recipientId: string;
  event: UserMentioned;
}

/** The mention path's first step: the notify step, the marker left for the e-mail's outcome. */
function startMentions(mentions: Mention[]) {
  return applyNotificationChanges(
    database,
    CONSUMER,
    mentions.map((m) => ({ event: m.event, markProcessed: false })),
  );
}

async function mentionNotificationsOf(accountId: string) {
  return database.primary
    .select()
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), eq(notifications.type, 'mention')));
}

async function ledgerRow(eventId: string) {
  const [row] = await database.primary
    .select()
    .from(emailDeliveries)
    .where(eq(emailDeliveries.eventId, eventId));
  return row;
}

describe('the notify step for mentions', () => {
  it('answers each event of a mixed batch as if alone, and notifies, in one statement', async () => {
    const bob = await createAccountFixture(database);
    const carol = await createAccountFixture(database, { emailOnMention: false });
    const dave = await createAccountFixture(database);
    const live = await postMentioning([bob, carol]);
    const deleted = await postMentioning([dave]);
    await deleteStatus(database, { accountId: deleted.author.id, statusId: deleted.status.id });
    const processedBefore = live.mentionOf(bob);
    await recordMentionsProcessed(database, CONSUMER, [processedBefore]);
    const toBob = live.mentionOf(bob);
    const toCarol = live.mentionOf(carol);
    const toDeletedPost = deleted.mentionOf(dave);
    const selfMention = live.mentionOf(live.author);

    const { result, statements } = await countStatements(database, () =>
      startMentions([toBob, processedBefore, toDeletedPost, toCarol, selfMention, toBob]),
    );

    expect(statements).toBe(1);
    expect(result).toEqual([
      {
        processed: false,
        created: true,
        mention: expect.objectContaining({
          statusId: live.status.id,
          author: expect.objectContaining({ id: live.author.id }),
          recipient: expect.objectContaining({
            id: bob.id,
            email: bob.email,
            emailOnMention: true,
          }),
        }),
      },
      { processed: true },
      { processed: false, created: false, mention: null },
      {
        processed: false,
        created: true,
        mention: expect.objectContaining({
          recipient: expect.objectContaining({ id: carol.id, emailOnMention: false }),
        }),
      },
      { processed: false, created: false, mention: null },
      // The same event twice: one notification, announced once.
      { ...result[0], created: false },
    ]);
    // Shown at once, one per fact however often it is listed; nothing for the deleted post.
    expect(await mentionNotificationsOf(bob.id)).toHaveLength(1);
    expect(await mentionNotificationsOf(carol.id)).toHaveLength(1);
    expect(await mentionNotificationsOf(dave.id)).toHaveLength(0);
    expect(await mentionNotificationsOf(live.author.id)).toHaveLength(0);
  });
});

describe('claimEmailDeliveries', () => {
  it('claims new and retryable deliveries, records skips, and never hands out a send twice', async () => {
    const recipients = await Promise.all(
      Array.from({ length: 6 }, () => createAccountFixture(database)),
    );
    const request = (i: number, extra: Partial<EmailDeliveryRequest> = {}) => ({
      eventId: `0190a000-0000-7000-8000-0000000d000${i}`,
      recipientAccountId: recipients[i]!.id,
      kind: 'mention',
      ...extra,
    });
    // Earlier history: 1 was sent, 2 is being sent right now, 3 was abandoned mid-send long ago,
    // 4 failed clearly once (back to pending).
    const earlier = await claimEmailDeliveries(
      database,
      [request(1), request(2), request(3), request(4)],
      CLAIM_OPTIONS,
    );
    expect(earlier.map((c) => c.state)).toEqual(['claimed', 'claimed', 'claimed', 'claimed']);
    await recordEmailOutcome(database, earlier[0]!.delivery.id, { status: 'sent' });
    await database.primary
      .update(emailDeliveries)
      .set({ updatedAt: sql`now() - interval '1 hour'` })
      .where(eq(emailDeliveries.id, earlier[2]!.delivery.id));
    await recordEmailOutcome(database, earlier[3]!.delivery.id, {
      status: 'pending',
      error: 'ECONNREFUSED',
    });

    const batch = [
      request(0),
      request(1),
      request(2),
      request(3),
      request(4),
      request(5, { skipReason: 'mention e-mails are turned off' }),
      request(0),
    ];
    const { result: claims, statements } = await countStatements(database, () =>
      claimEmailDeliveries(database, batch, CLAIM_OPTIONS),
    );

    expect(claims.map((c) => [c.state, c.delivery.status, c.delivery.attempts])).toEqual([
      ['claimed', 'sending', 1],
      ['finished', 'sent', 1],
      ['in-progress', 'sending', 1],
      ['finished', 'unknown', 1],
      ['claimed', 'sending', 2],
      ['finished', 'skipped', 0],
      // The same key twice in one batch: only the first caller may send.
      ['in-progress', 'sending', 1],
    ]);
    expect(claims[0]!.delivery.messageId).toBe(`<mention-${claims[0]!.delivery.id}@murmur.test>`);
    expect(claims[5]!.delivery.lastError).toBe('mention e-mails are turned off');
    // One statement, plus one to read back the rows it left alone (sent, being sent).
    expect(statements).toBe(2);

    const fresh = [6, 7].map((i) => ({
      eventId: `0190a000-0000-7000-8000-0000000d001${i}`,
      recipientAccountId: recipients[i - 6]!.id,
      kind: 'mention',
    }));
    const newOnly = await countStatements(database, () =>
      claimEmailDeliveries(database, fresh, CLAIM_OPTIONS),
    );
    expect(newOnly.statements).toBe(1);
    expect(newOnly.result.map((c) => c.state)).toEqual(['claimed', 'claimed']);
  });

  it('lets concurrent batches claim each delivery once', async () => {
    const bob = await createAccountFixture(database);
    const requests = Array.from({ length: 20 }, (_, i) => ({
      eventId: uuidv7(),
      recipientAccountId: bob.id,
      kind: `mention-${i}`,
    }));
    const batches = await Promise.all(
      [0, 1, 2].map((n) =>
        claimEmailDeliveries(database, n === 1 ? [...requests].reverse() : requests, CLAIM_OPTIONS),
      ),
    );
    const claimed = batches.flat().filter((c) => c.state === 'claimed');
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed.map((c) => c.delivery.id)).size).toBe(20);
  });
});

describe('recordMentionsProcessed', () => {
  it('marks each event once and records the e-mail outcomes, in one statement', async () => {
    const [bob, carol, dave, erin] = await Promise.all(
      Array.from({ length: 4 }, () => createAccountFixture(database)),
    );
    const live = await postMentioning([bob!, carol!, dave!]);
    const deleted = await postMentioning([erin!]);
    await deleteStatus(database, { accountId: deleted.author.id, statusId: deleted.status.id });
    const toBob = live.mentionOf(bob!);
    const toCarol = live.mentionOf(carol!);
    const toDave = live.mentionOf(dave!);
    const toDeletedPost = deleted.mentionOf(erin!);
    const processedBefore = live.mentionOf(bob!);
    await recordMentionsProcessed(database, CONSUMER, [processedBefore]);
    const claims = await claimEmailDeliveries(
      database,
      [toBob, toCarol, toDave].map((m) => ({
        eventId: m.eventId,
        recipientAccountId: m.recipientId,
        kind: 'mention',
      })),
      CLAIM_OPTIONS,
    );
    const [bobMail, carolMail, daveMail] = claims.map((c) => c.delivery.id);

    const { result: marked, statements } = await countStatements(database, () =>
      recordMentionsProcessed(database, CONSUMER, [
        { ...toBob, email: { deliveryId: bobMail!, status: 'sent' } },
        { ...toCarol, email: { deliveryId: carolMail!, status: 'unknown', error: 'timeout' } },
        {
          ...toDave,
          email: { deliveryId: daveMail!, status: 'failed', error: '550 no such user' },
        },
        toDeletedPost,
        processedBefore,
        toBob,
      ]),
    );

    expect(statements).toBe(1);
    expect([...marked].sort()).toEqual(
      [toBob, toCarol, toDave, toDeletedPost].map((m) => m.eventId).sort(),
    );
    const markers = await database.primary
      .select()
      .from(processedEvents)
      .where(
        inArray(
          processedEvents.eventId,
          [toBob, toCarol, toDave, toDeletedPost].map((m) => m.eventId),
        ),
      );
    expect(markers).toHaveLength(4);
    // The notifications are the notify step's: this step writes none.
    for (const account of [bob!, carol!, dave!, erin!])
      expect(await mentionNotificationsOf(account.id)).toHaveLength(0);
    expect(await ledgerRow(toBob.eventId)).toMatchObject({ status: 'sent', lastError: null });
    expect(await ledgerRow(toCarol.eventId)).toMatchObject({
      status: 'unknown',
      lastError: 'timeout',
    });
    expect(await ledgerRow(toDave.eventId)).toMatchObject({
      status: 'failed',
      lastError: '550 no such user',
    });

    // A redelivery of the whole batch changes nothing and reports nothing new.
    expect((await recordMentionsProcessed(database, CONSUMER, [toBob, toCarol])).size).toBe(0);
    expect(await startMentions([toBob, toCarol, toDeletedPost])).toEqual([
      { processed: true },
      { processed: true },
      { processed: true },
    ]);
  });

  it('lets one of several concurrent deliveries of an event record it', async () => {
    const bob = await createAccountFixture(database);
    const { mentionOf } = await postMentioning([bob]);
    const mention = mentionOf(bob);
    const results = await Promise.all(
      [1, 2, 3].map(() => recordMentionsProcessed(database, CONSUMER, [mention])),
    );
    expect(results.filter((marked) => marked.has(mention.eventId))).toHaveLength(1);
  });
});
