/**
 * Who is moderating: a staff account (read again in the transaction, so a role taken away a moment
 * ago no longer works) or the operator's command line, which has every power.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isStaff, outranks, type AccountRole } from '../../roles.js';
import { accounts, adminActionLogs } from '../../schema/index.js';

/** A staff account's id, or null for the operator (`murmurctl`). */
export type ModeratorId = string | null;

export interface TargetAccount {
  id: string;
  username: string;
  role: AccountRole;
}

/** The moderator's role (the operator counts as owner); NotAllowed unless staff. */
export async function requireModerator(
  tx: Executor,
  moderatorId: ModeratorId,
): Promise<AccountRole> {
  if (moderatorId === null) return 'owner';
  const [row] = await tx
    .select({ role: accounts.role, suspendedAt: accounts.suspendedAt })
    .from(accounts)
    .where(eq(accounts.id, moderatorId))
    .limit(1);
  if (!row || !isStaff(row.role) || row.suspendedAt !== null) {
    throw new DomainError('NotAllowed', 'This action is not allowed');
  }
  return row.role;
}

/**
 * Locks the target account for the change and checks that the moderator outranks it: nobody acts
 * on a higher role, and only an owner on an equal one.
 */
export async function lockTargetAccount(
  tx: Executor,
  moderatorId: ModeratorId,
  accountId: string,
): Promise<TargetAccount & typeof accounts.$inferSelect> {
  const role = await requireModerator(tx, moderatorId);
  const [target] = await tx
    .select()
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .for('update')
    .limit(1);
  if (!target) throw new DomainError('AccountNotFound', 'Record not found');
  if (moderatorId !== null && (target.id === moderatorId || !outranks(role, target.role))) {
    throw new DomainError('NotAllowed', 'You cannot moderate an account with this role');
  }
  return target;
}

/** One line of the audit log, written in the moderator's transaction. */
export async function logAdminAction(
  tx: Executor,
  entry: {
    moderatorId: ModeratorId;
    action: string;
    targetType: 'Account' | 'Report' | 'Rule' | 'DomainBlock';
    targetId: string;
    targetLabel?: string;
    note?: string;
  },
): Promise<void> {
  await tx.insert(adminActionLogs).values({
    accountId: entry.moderatorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    targetLabel: entry.targetLabel ?? '',
    note: (entry.note ?? '').slice(0, 2000),
  });
}
