/**
 * The worker rides through a PostgreSQL restart under load (issue 17): posts keep coming before,
 * during (those fail) and after the outage; when the database is back the worker resumes by itself,
 * and every committed mention gives exactly one notification and one e-mail, with no event
 * dead-lettered for having failed during the outage. Against a PostgreSQL
 * cluster of this file's own, restarted mid-load, and the shared NATS server (own stream).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isTransientDatabaseError } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture, createDatabaseOnServer } from '@murmur/db/testing';
import { PrivatePostgres } from '@murmur/devkit/postgres';
import { expectEachMentionOnce, sleep } from './_helpers.js';
import { sharedNats, startFaultRig, type FaultRig } from './_faults.js';

let pg: PrivatePostgres;
let rig: FaultRig<Awaited<ReturnType<typeof sharedNats>>>;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
  rig = await startFaultRig(sharedNats, {
    createDatabase: () => createDatabaseOnServer(pg.url(), { poolSize: 12 }),
    // Redeliveries 100 ms apart: 8 of them last under a second, far less than the outage. A failure
    // because the database is unreachable must spend none (the handler waits in place), or events
    // would be dead-lettered.
    timings: { retryDelayMs: () => 100 },
  });
}, 60_000);

afterAll(async () => {
  await rig?.dispose();
  await pg?.dispose();
});

it('resumes after the restart, every committed mention once', async () => {
  const { database, smtp } = rig;
  const author = await createAccountFixture(database);
  const recipients = await Promise.all(
    Array.from({ length: 10 }, () => createAccountFixture(database)),
  );
  let stop = false;
  let committed = 0;
  let refused = 0;
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      const mentioned = recipients[i % recipients.length]!;
      try {
        await createStatus(database, {
          accountId: author.id,
          text: `load ${i} @${mentioned.username}`,
        });
        committed += 1;
      } catch (err) {
        if (!isTransientDatabaseError(err)) throw err;
        refused += 1;
      }
      await sleep(40);
    }
  })();
  await sleep(1_500);
  await pg.restart(2_000);
  await sleep(2_500);
  stop = true;
  await load;

  expect(refused).toBeGreaterThan(0);
  const { rows } = await database.pool.query<{ n: string }>(
    `select count(*) as n from outbox_events where type = 'UserMentioned'`,
  );
  const mentions = Number(rows[0]!.n);
  // A post whose COMMIT was cut by the restart may have committed without the client knowing.
  expect(mentions).toBeGreaterThanOrEqual(committed);
  expect(mentions).toBeLessThanOrEqual(committed + 1);
  await expectEachMentionOnce(database, smtp, mentions, { timeoutMs: 45_000 });
  const deadLetters = await database.pool.query('select 1 from dead_letters');
  expect(deadLetters.rowCount).toBe(0);
}, 90_000);
