/**
 * The account e-mails: a password reset link (PasswordResetRequested) and an e-mail confirmation
 * link (EmailConfirmationRequested), at most one e-mail per request.
 *
 * For each event: read the request's current state (a link already used, replaced or expired, or an
 * address confirmed meanwhile, sends nothing); claim the e-mail in the `email_deliveries` ledger
 * (so a repeated or concurrent delivery of the event never sends a second one); only then make the
 * token (`issueAccountTokenSecret` stores its hash) and send the link. The raw token lives only in
 * the e-mail.
 */
import { type Database } from '@murmur/db';
import { claimEmailDeliveries, markEventProcessed, recordEmailOutcome } from '@murmur/db/events';
import {
  findAccountTokenEmail,
  issueAccountTokenSecret,
  type AccountTokenEmail,
} from '@murmur/db/accounts';
import type { DomainEvent } from '@murmur/events';
import type { Logger } from '@murmur/service-kit';
import { escapeHtml, excerpt } from '@murmur/text';
import { RetryLater, type EventHandler } from '../handlers.js';
import type { Mailer, OutgoingMail, SendResult } from './mailer.js';

export interface AccountEmailSettings {
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  publicHost: string;
  mailFrom: string;
  maxAttempts: number;
  smtpTimeoutMs: number;
}

export interface AccountEmailDependencies {
  consumer: string;
  database: Database;
  mailer: Mailer;
  email: AccountEmailSettings;
  onEmailOutcome?: (outcome: 'sent' | 'failed' | 'unknown') => void;
}

/** Where each kind of link leads (pages of the API's OAuth server, where passwords are handled). */
export const ACCOUNT_LINK_PATHS = {
  password_reset: '/oauth/password/edit',
  email_confirmation: '/oauth/confirmation',
} as const;

const LEDGER_KIND = {
  password_reset: 'password-reset',
  email_confirmation: 'email-confirmation',
} as const;

function minutesUntil(date: Date): number {
  return Math.max(1, Math.round((date.getTime() - Date.now()) / 60_000));
}

function validity(expiresAt: Date): string {
  const minutes = minutesUntil(expiresAt);
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.round(minutes / 60)} hours`;
}

export function composeAccountEmail(
  request: AccountTokenEmail,
  token: string,
  delivery: { messageId: string },
  settings: Pick<AccountEmailSettings, 'publicUrl' | 'mailFrom'>,
): OutgoingMail {
  const { account } = request;
  const name = excerpt(account.displayName, 60) || `@${account.username}`;
  const link = `${settings.publicUrl}${ACCOUNT_LINK_PATHS[request.purpose]}?token=${encodeURIComponent(token)}`;
  const within = validity(request.expiresAt);
  const reset = request.purpose === 'password_reset';
  const subject = reset ? 'Reset your password' : 'Confirm your e-mail address';
  const lead = reset
    ? `Someone (hopefully you) asked to reset the password of @${account.username}.`
    : `Welcome! Confirm that this address belongs to @${account.username}.`;
  const action = reset ? 'Choose a new password' : 'Confirm my address';
  const after = reset
    ? 'If you did not ask for this, ignore this e-mail: your password stays as it is.'
    : 'If you did not sign up, ignore this e-mail.';
  const text = [
    `Hi ${name},`,
    '',
    lead,
    '',
    `${action}: ${link}`,
    '',
    `The link works once, within ${within}.`,
    after,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; max-width: 36rem">
<p>Hi ${escapeHtml(name)},</p>
<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>
<p>The link works once, within ${escapeHtml(within)}. ${escapeHtml(after)}</p>
</body></html>
`;
  return {
    messageId: delivery.messageId,
    from: settings.mailFrom,
    to: { name, address: account.email },
    subject,
    text,
    html,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** The handler of the `password-reset-emails` and `confirmation-emails` consumers. */
export function accountEmailsHandler(deps: AccountEmailDependencies): EventHandler {
  const { database, consumer } = deps;
  const claimOptions = {
    messageIdDomain: deps.email.publicHost,
    staleSendingAfterMs: deps.email.smtpTimeoutMs * 3 + 1000,
  };
  const done = (event: DomainEvent) => markEventProcessed(database, consumer, event.id);
  return async (event, log) => {
    if (event.type !== 'PasswordResetRequested' && event.type !== 'EmailConfirmationRequested') {
      return;
    }
    const request = await findAccountTokenEmail(database.primary, event.data.tokenId);
    if (!request) {
      log.info({ tokenId: event.data.tokenId }, 'account e-mail not needed any more');
      return done(event);
    }
    const [claim] = await claimEmailDeliveries(
      database,
      [
        {
          eventId: event.id,
          recipientAccountId: request.account.id,
          kind: LEDGER_KIND[request.purpose],
        },
      ],
      claimOptions,
    );
    if (claim!.state === 'in-progress') {
      throw new RetryLater('another delivery of this event is sending the e-mail right now');
    }
    if (claim!.state === 'finished') {
      log.debug({ status: claim!.delivery.status }, 'account e-mail already handled');
      return done(event);
    }
    const delivery = claim!.delivery;
    const token = await issueAccountTokenSecret(database, request.tokenId);
    if (token === null) {
      await recordEmailOutcome(database, delivery.id, {
        status: 'failed',
        error: 'the link was used, replaced or expired before it was sent',
      });
      return done(event);
    }
    const result = await send(
      deps.mailer,
      composeAccountEmail(request, token, delivery, deps.email),
    );
    await recordOutcome(deps, delivery, result, log);
    return done(event);
  };
}

async function send(mailer: Mailer, mail: OutgoingMail): Promise<SendResult> {
  try {
    return await mailer.send(mail);
  } catch (err) {
    return { outcome: 'rejected', error: (err as Error).message ?? String(err), permanent: false };
  }
}

/** Records the send's outcome; throws RetryLater when it clearly failed and may be retried. */
async function recordOutcome(
  deps: AccountEmailDependencies,
  delivery: { id: string; messageId: string; attempts: number },
  result: SendResult,
  log: Logger,
): Promise<void> {
  const logBase = { deliveryId: delivery.id, messageId: delivery.messageId };
  switch (result.outcome) {
    case 'sent':
      deps.onEmailOutcome?.('sent');
      log.info(logBase, 'account e-mail sent');
      await recordEmailOutcome(deps.database, delivery.id, { status: 'sent' });
      return;
    case 'unknown':
      deps.onEmailOutcome?.('unknown');
      log.warn({ ...logBase, error: result.error }, 'account e-mail outcome unknown; not resent');
      await recordEmailOutcome(deps.database, delivery.id, {
        status: 'unknown',
        error: result.error,
      });
      return;
    case 'rejected':
      if (result.permanent || delivery.attempts >= deps.email.maxAttempts) {
        deps.onEmailOutcome?.('failed');
        log.error({ ...logBase, error: result.error }, 'account e-mail failed; giving up');
        await recordEmailOutcome(deps.database, delivery.id, {
          status: 'failed',
          error: result.error,
        });
        return;
      }
      await recordEmailOutcome(deps.database, delivery.id, {
        status: 'pending',
        error: result.error,
      });
      throw new RetryLater(`account e-mail not sent (${result.error}); will retry`);
  }
}
