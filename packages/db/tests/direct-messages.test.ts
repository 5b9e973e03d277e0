/**
 * Direct messages: a `direct` status reaches only its author and the accounts it mentions, on every
 * read path; each participant's conversations are kept by the worker's step
 * (`recordDirectMessageOnce`), unread for the recipients, once however often the event arrives.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { isDomainError } from '../src/index.js';
import {
  accountStatuses,
  findVisibleStatus,
  homeTimeline,
  publicTimeline,
  statusContext,
  tagTimeline,
} from '../src/timelines/index.js';
import {
  conversationsOf,
  findConversation,
  markConversationRead,
  recordDirectMessageOnce,
  removeConversation,
} from '../src/conversations/index.js';
import { createStatus, favouriteStatus, deleteStatus } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { searchStatuses } from '../src/search/index.js';
import { queryRows } from '../src/client.js';
import {
  applyPendingFeedEvents,
  createAccountFixture,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
const db = () => testDb.database;
const CONSUMER = 'conversations';

const accounts = (n: number) =>
  Promise.all(Array.from({ length: n }, () => createAccountFixture(db())));

/** The PostCreated event of a status, as the consumer receives it. */
async function postCreated(statusId: string): Promise<{ eventId: string; statusId: string }> {
  const [row] = await queryRows<{ eventId: string }>(
    db().primary,
    sql`select id::text as "eventId" from outbox_events
      where type = 'PostCreated' and payload->'data'->>'statusId' = ${statusId}`,
  );
  return { eventId: row!.eventId, statusId };
}

/** The consumer's step, delivered three times. */
async function deliverThrice(statusId: string): Promise<void> {
  const event = await postCreated(statusId);
  for (let i = 0; i < 3; i++) await recordDirectMessageOnce(db(), CONSUMER, event);
}

const conversations = async (accountId: string) =>
  (await conversationsOf(db().primary, accountId, { limit: 20 })).conversations;

describe('direct messages', () => {
  it('are seen by the author and the mentioned accounts only, on every read path', async () => {
    const [author, recipient, follower] = await accounts(3);
    await followAccount(db(), { accountId: follower!.id, targetAccountId: author!.id });
    const dm = await createStatus(db(), {
      accountId: author!.id,
      text: `@${recipient!.username} secret plans #hushhush`,
      visibility: 'direct',
    });
    const reply = await createStatus(db(), {
      accountId: recipient!.id,
      text: `@${author!.username} agreed #hushhush`,
      visibility: 'direct',
      inReplyToId: dm.id,
    });
    await favouriteStatus(db(), { accountId: recipient!.id, statusId: dm.id });
    await applyPendingFeedEvents(db());
    const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);
    const page = { limit: 40 };
    for (const viewer of [null, follower!.id]) {
      expect(await findVisibleStatus(db().primary, dm.id, viewer)).toBeNull();
      expect(await statusContext(db().primary, dm.id, viewer)).toBeNull();
      expect(ids(await publicTimeline(db().primary, page, viewer))).not.toContain(dm.id);
      expect(ids(await tagTimeline(db().primary, 'hushhush', page, viewer))).toEqual([]);
      expect(ids(await accountStatuses(db().primary, author!.id, page, viewer))).toEqual([]);
      expect(
        ids(await searchStatuses(db().primary, 'secret plans', { limit: 20, viewerId: viewer })),
      ).toEqual([]);
    }
    // Not in anyone's home, not even through the follow; the participants see it in the thread.
    expect(ids(await homeTimeline(db(), follower!.id, page))).toEqual([]);
    expect(ids(await homeTimeline(db(), recipient!.id, page))).toEqual([]);
    expect(await findVisibleStatus(db().primary, dm.id, recipient!.id)).not.toBeNull();
    const context = await statusContext(db().primary, dm.id, recipient!.id);
    expect(ids(context!.descendants)).toEqual([reply.id]);
    expect(ids(await accountStatuses(db().primary, author!.id, page, recipient!.id))).toEqual([
      dm.id,
    ]);
  });

  it('keep each participant’s conversation, unread for the recipients, once per delivery', async () => {
    const [alice, bob, carol] = await accounts(3);
    const first = await createStatus(db(), {
      accountId: alice!.id,
      text: `@${bob!.username} @${carol!.username} lunch?`,
      visibility: 'direct',
    });
    await deliverThrice(first.id);
    const [ofBob] = await conversations(bob!.id);
    expect(ofBob).toMatchObject({ unread: true, lastStatus: { id: first.id } });
    expect(ofBob!.accounts.map((a) => a.id).sort()).toEqual([alice!.id, carol!.id].sort());
    const [ofAlice] = await conversations(alice!.id);
    expect(ofAlice).toMatchObject({ unread: false, lastStatus: { id: first.id } });
    expect(await conversations(carol!.id)).toHaveLength(1);

    // Bob reads it; Carol's answer in the thread makes it unread again, in the same conversation.
    await markConversationRead(db(), { accountId: bob!.id, conversationId: ofBob!.id });
    expect((await findConversation(db().primary, bob!.id, ofBob!.id)).unread).toBe(false);
    const answer = await createStatus(db(), {
      accountId: carol!.id,
      text: `@${alice!.username} @${bob!.username} yes`,
      visibility: 'direct',
      inReplyToId: first.id,
    });
    await deliverThrice(answer.id);
    expect(await conversations(bob!.id)).toMatchObject([
      { id: ofBob!.id, unread: true, lastStatus: { id: answer.id } },
    ]);
    expect(await conversations(carol!.id)).toMatchObject([{ unread: false }]);

    // Deleting the answer shows the previous message; a public post makes no conversation.
    await deleteStatus(db(), { accountId: carol!.id, statusId: answer.id });
    expect(await conversations(bob!.id)).toMatchObject([{ lastStatus: { id: first.id } }]);
    const open = await createStatus(db(), { accountId: alice!.id, text: `@${bob!.username} hi` });
    await deliverThrice(open.id);
    expect(await conversations(bob!.id)).toHaveLength(1);

    // Removed, it stays removed when the old event arrives again; others cannot touch it.
    const notFound = async (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: unknown) => (isDomainError(error) ? error.code : 'other'),
      );
    expect(
      await notFound(removeConversation(db(), { accountId: carol!.id, conversationId: ofBob!.id })),
    ).toBe('ConversationNotFound');
    await removeConversation(db(), { accountId: bob!.id, conversationId: ofBob!.id });
    await deliverThrice(first.id);
    expect(await conversations(bob!.id)).toEqual([]);
  });
});
