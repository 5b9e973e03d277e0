/**
 * Mastodon #23198: an SMTP server that stores the message but answers too late made the mailer
 * retry, and people got up to 7 copies. Here the 250 comes after the client's timeout: the worker
 * must record the outcome as `unknown` and never send again.
 */
import { expect, it } from 'vitest';
import { type Database } from '@murmur/db';
import { createStatus } from '@murmur/db/statuses';
import { createAccountFixture } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { sleep, type SmtpSink, useMailingWorker, waitFor } from './_helpers.js';

const topology = testTopology();
let database: Database;
let smtp: SmtpSink;

// SMTP_TIMEOUT_MS is 1000 in test configs: the 250 arrives after the client gave up.
useMailingWorker(topology, (w) => ({ database, smtp } = w), {
  smtp: { replyDelayMs: 1500 },
});

it('records a timeout after DATA as unknown and does not send a second copy', async () => {
  const author = await createAccountFixture(database);
  const bob = await createAccountFixture(database);
  await createStatus(database, { accountId: author.id, text: `hello @${bob.username}` });

  const delivery = await waitFor(
    async () => {
      const { rows } = await database.pool.query<{
        status: string;
        attempts: number;
        last_error: string;
      }>(
        'select status, attempts, last_error from email_deliveries where recipient_account_id = $1',
        [bob.id],
      );
      return rows[0]?.status === 'unknown' ? rows[0] : null;
    },
    { what: 'the delivery to be marked unknown' },
  );
  expect(delivery.attempts).toBe(1);
  expect(delivery.last_error).toMatch(/timeout/i);

  // The event itself is done: processed once, and no retry storm follows.
  await waitFor(
    async () =>
      (await database.pool.query(`select 1 from processed_events where consumer = 'notifications'`))
        .rowCount === 1,
  );
  await sleep(2500);
  expect(smtp.received.filter((m) => m.envelopeTo.includes(bob.email))).toHaveLength(1);
  const { rows } = await database.pool.query('select status, attempts from email_deliveries');
  expect(rows).toEqual([{ status: 'unknown', attempts: 1 }]);
  const notifications = await database.pool.query(
    'select 1 from notifications where account_id = $1',
    [bob.id],
  );
  expect(notifications.rowCount).toBe(1);
});
