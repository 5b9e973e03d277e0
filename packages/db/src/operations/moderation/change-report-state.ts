import { eq } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { reports } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { logAdminAction, requireModerator, type ModeratorId } from './moderator.js';

export const REPORT_CHANGES = ['assign_to_self', 'unassign', 'resolve', 'reopen'] as const;
export type ReportChange = (typeof REPORT_CHANGES)[number];

/**
 * Moves a report through its life (Mastodon's admin report actions): taken by a moderator, given
 * back, resolved without an action on the account, reopened. Each change is logged.
 */
export async function changeReportState(
  database: Database,
  input: { moderatorId: ModeratorId; reportId: string; change: ReportChange; note?: string },
): Promise<void> {
  if (!isSnowflakeId(input.reportId)) throw new DomainError('ReportNotFound', 'Record not found');
  await withTransaction(database, async (tx) => {
    await requireModerator(tx, input.moderatorId);
    const now = new Date();
    const values =
      input.change === 'assign_to_self'
        ? { assignedAccountId: input.moderatorId }
        : input.change === 'unassign'
          ? { assignedAccountId: null }
          : input.change === 'resolve'
            ? { actionTakenAt: now, actionTakenByAccountId: input.moderatorId }
            : { actionTakenAt: null, actionTakenByAccountId: null };
    const [row] = await tx
      .update(reports)
      .set({ ...values, updatedAt: now })
      .where(eq(reports.id, input.reportId))
      .returning({ id: reports.id });
    if (!row) throw new DomainError('ReportNotFound', 'Record not found');
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: input.change,
      targetType: 'Report',
      targetId: row.id,
      note: input.note,
    });
  });
}
