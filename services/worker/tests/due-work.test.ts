/**
 * Work due at a time, through two real workers sharing the database and the stream: a poll that
 * ended gives its author and its voter one `poll` notification each, and a scheduled status is
 * posted once, with the worker's own clock (the due-work loop), not on any event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus, scheduleStatus, voteInPoll } from '@murmur/db/statuses';
import { createAccountFixture, createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { startWorker, testConfig, waitFor, type RunningWorker } from './_helpers.js';

const topology = testTopology();
let testDb: TestDatabase;
let database: Database;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase({ poolSize: 10 });
  database = testDb.database;
  const config = testConfig({ databaseUrl: testDb.url, topology, timings: { dueWorkMs: 200 } });
  workers.push(await startWorker(config, database), await startWorker(config, database));
}, 60_000);

afterAll(async () => {
  await workers[1]?.stop();
  await workers[0]?.dispose(topology);
  await testDb?.destroy();
});

async function rows<T>(query: string, values: unknown[]): Promise<T[]> {
  return (await database.pool.query(query, values)).rows as T[];
}

describe('the due-work job', () => {
  it('ends a poll once and notifies its author and voter; posts a scheduled status once', async () => {
    const author = await createAccountFixture(database);
    const voter = await createAccountFixture(database);
    const created = await createStatus(database, {
      accountId: author.id,
      text: 'Quick poll',
      poll: { options: ['yes', 'no'], expiresIn: 300 },
    });
    await voteInPoll(database, {
      accountId: voter.id,
      pollId: created.view.poll!.id,
      choices: [0],
    });
    const scheduled = await scheduleStatus(database, {
      accountId: author.id,
      text: 'Posted by the worker',
      scheduledAt: new Date(Date.now() + 6 * 60 * 1000),
    });
    // Both fall due now.
    await database.pool.query(`update polls set expires_at = now() where status_id = $1`, [
      created.id,
    ]);
    await database.pool.query(`update scheduled_statuses set scheduled_at = now() where id = $1`, [
      scheduled.id,
    ]);

    const pollNotifications = () =>
      rows<{ account_id: string }>(
        `select account_id::text from notifications where type = 'poll' and status_id = $1
         order by account_id`,
        [created.id],
      );
    await waitFor(async () => (await pollNotifications()).length === 2, {
      what: 'poll notifications',
    });
    await waitFor(
      async () =>
        (
          await rows(`select 1 from statuses where account_id = $1 and text = $2`, [
            author.id,
            'Posted by the worker',
          ])
        ).length === 1,
      { what: 'the scheduled status' },
    );
    // A few more rounds of both workers change nothing.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await pollNotifications()).map((r) => r.account_id).sort()).toEqual(
      [author.id, voter.id].sort(),
    );
    const ended = await rows(`select 1 from outbox_events where type = 'PollEnded'`, []);
    expect(ended).toHaveLength(1);
    const posted = await rows(`select 1 from statuses where text = $1`, ['Posted by the worker']);
    expect(posted).toHaveLength(1);
    expect(await rows(`select 1 from scheduled_statuses`, [])).toEqual([]);
  }, 60_000);
});
