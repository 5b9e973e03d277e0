import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { accounts } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { lockTargetAccount, logAdminAction, type ModeratorId } from './moderator.js';

/**
 * Approves or rejects a sign-up waiting for approval (REGISTRATIONS_MODE=approval). A rejected
 * applicant's account is deleted, as Mastodon does, so the name and address can be used again.
 */
export async function reviewSignUp(
  database: Database,
  input: { moderatorId: ModeratorId; accountId: string; decision: 'approve' | 'reject' },
): Promise<void> {
  await withTransaction(database, async (tx) => {
    const target = await lockTargetAccount(tx, input.moderatorId, input.accountId);
    if (target.approved) {
      throw new DomainError('InvalidField', 'This account is not waiting for approval');
    }
    if (input.decision === 'approve') {
      await tx.update(accounts).set({ approved: true }).where(eq(accounts.id, target.id));
    } else {
      await tx.delete(accounts).where(eq(accounts.id, target.id));
    }
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: input.decision,
      targetType: 'Account',
      targetId: target.id,
      targetLabel: target.username,
    });
  });
}
