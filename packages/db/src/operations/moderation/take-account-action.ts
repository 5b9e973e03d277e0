import { and, eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { accounts, reports } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { lockTargetAccount, logAdminAction, type ModeratorId } from './moderator.js';

/** Mastodon's `POST /api/v1/admin/accounts/:id/action` types. */
export const ACCOUNT_ACTIONS = ['none', 'sensitive', 'disable', 'silence', 'suspend'] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** The ways back, one per action. */
export const ACCOUNT_UNDO_ACTIONS = ['unsuspend', 'unsilence', 'unsensitive', 'enable'] as const;
export type AccountUndoAction = (typeof ACCOUNT_UNDO_ACTIONS)[number];

type AccountsPatch = Partial<typeof accounts.$inferInsert>;

const ACTION_EFFECTS = {
  none: null,
  sensitive: { column: 'sensitizedAt', event: 'AccountSensitized' },
  disable: { column: 'disabledAt', event: 'AccountDisabled' },
  silence: { column: 'silencedAt', event: 'AccountSilenced' },
  suspend: { column: 'suspendedAt', event: 'AccountSuspended' },
} as const;

const UNDO_EFFECTS = {
  unsensitive: { column: 'sensitizedAt', event: 'AccountUnsensitized' },
  enable: { column: 'disabledAt', event: 'AccountEnabled' },
  unsilence: { column: 'silencedAt', event: 'AccountUnsilenced' },
  unsuspend: { column: 'suspendedAt', event: 'AccountUnsuspended' },
} as const;

export interface AccountActionInput {
  moderatorId: ModeratorId;
  accountId: string;
  type: AccountAction | AccountUndoAction;
  /** The report this answers: it is resolved with the action (Mastodon does the same). */
  reportId?: string | null;
  /** The moderator's note, kept in the audit log. */
  text?: string;
  requestId?: string | null;
}

/**
 * A moderator's action on an account, or its undoing. The state changes, the event
 * (AccountSuspended, ...), the audit line and the report's resolution commit together. Doing what is
 * already done changes nothing and writes no event (but is still logged with its note). A suspension
 * takes effect at the next request: the token lookup, the website session and every reader of
 * profiles and statuses look at `suspended_at`.
 */
export async function takeAccountAction(
  database: Database,
  input: AccountActionInput,
): Promise<void> {
  await withTransaction(database, async (tx) => {
    const target = await lockTargetAccount(tx, input.moderatorId, input.accountId);
    if (input.type === 'unsuspend' && target.deletedAt !== null) {
      // Its owner deleted it: its profile and sign-in are gone, and other servers were told so.
      throw new DomainError('NotAllowed', 'This account was deleted by its owner');
    }
    const reportId = input.reportId ?? null;
    if (reportId !== null) {
      const resolved = await tx
        .update(reports)
        .set({
          actionTakenAt: new Date(),
          actionTakenByAccountId: input.moderatorId,
          updatedAt: new Date(),
        })
        .where(and(eq(reports.id, reportId), eq(reports.targetAccountId, target.id)))
        .returning({ id: reports.id, actionTakenAt: reports.actionTakenAt });
      if (resolved.length === 0) throw new DomainError('ReportNotFound', 'Record not found');
    }
    const effect =
      input.type in ACTION_EFFECTS
        ? ACTION_EFFECTS[input.type as AccountAction]
        : UNDO_EFFECTS[input.type as AccountUndoAction];
    if (effect) {
      const undo = input.type in UNDO_EFFECTS;
      const isSet = target[effect.column] !== null;
      if (isSet === undo) {
        const patch: AccountsPatch = { [effect.column]: undo ? null : new Date() };
        await tx.update(accounts).set(patch).where(eq(accounts.id, target.id));
        await tx.execute(
          outboxInsert([
            newEvent(
              effect.event,
              { accountId: target.id, moderatorId: input.moderatorId, reportId },
              input.requestId,
            ),
          ]),
        );
      }
    }
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: input.type,
      targetType: 'Account',
      targetId: target.id,
      targetLabel: target.username,
      note: input.text,
    });
    if (reportId !== null) {
      await logAdminAction(tx, {
        moderatorId: input.moderatorId,
        action: 'resolve',
        targetType: 'Report',
        targetId: reportId,
        targetLabel: target.username,
      });
    }
  });
}
