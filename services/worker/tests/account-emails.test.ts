/**
 * Password reset and confirmation e-mails through the real pipeline (PostgreSQL, NATS JetStream,
 * an SMTP sink): one e-mail per request with a working single-use link, even when the event arrives
 * three times (a retry after a clear SMTP failure, the relay again, a direct republish).
 */
import { type Database } from '@murmur/db';
import {
  confirmEmail,
  findAccountById,
  registerAccount,
  requestPasswordReset,
  resetPassword,
} from '@murmur/db/accounts';
import { createAccountFixture } from '@murmur/db/testing';
import { subjectFor } from '@murmur/events';
import { testTopology } from '@murmur/events/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { PASSWORD_RESET_EMAILS_CONSUMER } from '../src/consumers.js';
import {
  mailParts,
  type RunningWorker,
  sleep,
  type SmtpSink,
  useMailingWorker,
  waitFor,
} from './_helpers.js';

const topology = testTopology();
let database: Database;
let smtp: SmtpSink;
let running: RunningWorker;
const failOnce = new Set<string>();

useMailingWorker(topology, (w) => ({ database, smtp, running } = w), {
  poolSize: 10,
  failOnce,
  overrides: { duplicateWindowMs: 1000 },
});

const mailsTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));

function linkIn(raw: string, path: string): URL {
  const { text } = mailParts(raw);
  const found = new RegExp(`https://murmur\\.test${path}\\?token=[A-Za-z0-9_%-]+`).exec(text);
  expect(found, text).not.toBeNull();
  return new URL(found![0]);
}

async function eventOf(type: string, accountId: string): Promise<{ id: string; payload: unknown }> {
  const { rows } = await database.pool.query<{ id: string; payload: unknown }>(
    `select id, payload from outbox_events where type = $1 and payload->'data'->>'accountId' = $2
     order by occurred_at desc limit 1`,
    [type, accountId],
  );
  return rows[0]!;
}

async function caughtUp() {
  const jsm = await jetstreamManager(running.nats);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(topology.streamName, PASSWORD_RESET_EMAILS_CONSUMER);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: 'the password reset consumer to catch up' },
  );
}

describe('password reset e-mails', () => {
  it('sends one e-mail whose link sets a new password, even when the event arrives three times', async () => {
    const account = await createAccountFixture(database, { displayName: 'Rita' });
    failOnce.add(account.email); // the first attempt fails clearly → nak → redelivery
    await requestPasswordReset(database, { email: account.email });
    await waitFor(() => mailsTo(account.email).length === 1, { what: 'the reset e-mail' });
    const event = await eventOf('PasswordResetRequested', account.id);
    await waitFor(
      async () =>
        (
          await database.pool.query(
            'select 1 from processed_events where consumer = $1 and event_id = $2',
            [PASSWORD_RESET_EMAILS_CONSUMER, event.id],
          )
        ).rowCount === 1,
    );

    // Again through the relay (after the duplicate window) and directly with another message id.
    await sleep(1100);
    await database.pool.query(
      `update outbox_events set status = 'pending', next_attempt_at = now() where id = $1`,
      [event.id],
    );
    await running.nats.flush();
    await jetstream(running.nats).publish(
      subjectFor(topology, 'PasswordResetRequested'),
      JSON.stringify(event.payload),
      { msgID: `${event.id}-again` },
    );
    await waitFor(
      async () =>
        (await database.pool.query(`select status from outbox_events where id = $1`, [event.id]))
          .rows[0]?.status === 'published',
    );
    await caughtUp();
    await sleep(300);

    const mails = mailsTo(account.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.headers.subject).toBe('Reset your password');
    const { rows: deliveries } = await database.pool.query(
      'select kind, status, attempts from email_deliveries where event_id = $1',
      [event.id],
    );
    expect(deliveries).toEqual([{ kind: 'password-reset', status: 'sent', attempts: 2 }]);

    const link = linkIn(mails[0]!.raw, '/oauth/password/edit');
    const token = link.searchParams.get('token')!;
    // The token is nowhere but in the e-mail.
    const { rows } = await database.pool.query<{ n: string }>(
      `select count(*) as n from outbox_events where payload::text like $1`,
      [`%${token}%`],
    );
    expect(rows[0]!.n).toBe('0');
    await resetPassword(database, { token, newPassword: 'a fresh passphrase' });
    await expect(
      resetPassword(database, { token, newPassword: 'another passphrase' }),
    ).rejects.toMatchObject({ code: 'InvalidAccountToken' });
  });
});

describe('confirmation e-mails', () => {
  it('sends the confirmation link at sign-up; it confirms the address', async () => {
    const account = await registerAccount(database, {
      username: 'new_person',
      email: 'new.person@example.test',
      password: 'long enough password',
      requireEmailConfirmation: true,
    });
    await waitFor(() => mailsTo(account.email).length === 1, { what: 'the confirmation e-mail' });
    const mail = mailsTo(account.email)[0]!;
    expect(mail.headers.subject).toBe('Confirm your e-mail address');
    const token = linkIn(mail.raw, '/oauth/confirmation').searchParams.get('token')!;
    expect(await confirmEmail(database, token)).toBe(account.id);
    expect((await findAccountById(database.primary, account.id))!.emailConfirmedAt).not.toBeNull();
  });
});
