import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { hasPermission, outranks, PERMISSIONS, type AccountRole } from '../../roles.js';
import { accounts } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import {
  lockTargetAccount,
  logAdminAction,
  requireModerator,
  type ModeratorId,
} from './moderator.js';

/**
 * Gives an account a role. Only those who may manage roles (admins, the owner, the operator) grant
 * roles, only roles below their own (an owner any), and never to an account that outranks them.
 */
export async function setAccountRole(
  database: Database,
  input: { moderatorId: ModeratorId; accountId: string; role: AccountRole },
): Promise<{ previousRole: AccountRole }> {
  return withTransaction(database, async (tx) => {
    const actorRole = await requireModerator(tx, input.moderatorId);
    if (!hasPermission(actorRole, PERMISSIONS.manageRoles)) {
      throw new DomainError('NotAllowed', 'Your role cannot grant roles');
    }
    if (input.moderatorId !== null && !outranks(actorRole, input.role)) {
      throw new DomainError('NotAllowed', 'You can only grant roles below your own');
    }
    const target = await lockTargetAccount(tx, input.moderatorId, input.accountId);
    if (target.role !== input.role) {
      await tx.update(accounts).set({ role: input.role }).where(eq(accounts.id, target.id));
      await logAdminAction(tx, {
        moderatorId: input.moderatorId,
        action: 'change_role',
        targetType: 'Account',
        targetId: target.id,
        targetLabel: target.username,
        note: `${target.role} → ${input.role}`,
      });
    }
    return { previousRole: target.role };
  });
}
