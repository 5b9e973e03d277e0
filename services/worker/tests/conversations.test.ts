/**
 * The conversations consumer through the whole pipeline: a direct message commits, the relay
 * publishes PostCreated, the consumer records the participants' conversations; the same event
 * delivered twice more changes nothing (not even a conversation read since).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { conversationsOf, markConversationRead } from '@murmur/db/conversations';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { subjectFor } from '@murmur/events';
import { testTopology } from '@murmur/events/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startWorker, testConfig, waitFor, type RunningWorker } from './_helpers.js';
import { CONVERSATIONS_CONSUMER } from '../src/consumers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
let running: RunningWorker;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  running = await startWorker(testConfig({ databaseUrl: testDb.url, topology }), database);
});

afterAll(async () => {
  await running?.dispose(topology);
  await testDb?.destroy();
});

const conversations = async (accountId: string) =>
  (await conversationsOf(database.primary, accountId, { limit: 20 })).conversations;

describe('conversations consumer', () => {
  it('records a direct message in its participants’ conversations once', async () => {
    const [sender, recipient] = await Promise.all([1, 2].map(() => createAccountFixture(database)));
    const dm = await createStatus(database, {
      accountId: sender!.id,
      text: `@${recipient!.username} between us`,
      visibility: 'direct',
    });
    const [conversation] = await waitFor(
      async () =>
        (await conversations(recipient!.id)).length === 1 ? conversations(recipient!.id) : null,
      { what: 'the recipient’s conversation' },
    );
    expect(conversation).toMatchObject({ unread: true, lastStatus: { id: dm.id } });
    await markConversationRead(database, {
      accountId: recipient!.id,
      conversationId: conversation!.id,
    });

    const { rows } = await database.pool.query<{ id: string; payload: unknown }>(
      `select id, payload from outbox_events where type = 'PostCreated' and payload->'data'->>'statusId' = $1`,
      [dm.id],
    );
    const js = jetstream(running.nats);
    for (const copy of ['again', 'once more']) {
      await js.publish(subjectFor(topology, 'PostCreated'), JSON.stringify(rows[0]!.payload), {
        msgID: `${rows[0]!.id}-${copy}`,
      });
    }
    const jsm = await jetstreamManager(running.nats);
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(topology.streamName, CONVERSATIONS_CONSUMER);
        return (info.num_pending === 0 && info.num_ack_pending === 0) || null;
      },
      { what: 'the conversations consumer to catch up' },
    );
    expect(await conversations(recipient!.id)).toMatchObject([
      { id: conversation!.id, unread: false, lastStatus: { id: dm.id } },
    ]);
    expect(await conversations(sender!.id)).toHaveLength(1);
  });
});
