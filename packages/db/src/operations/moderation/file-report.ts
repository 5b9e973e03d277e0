import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import {
  accounts,
  instanceRules,
  REPORT_CATEGORIES,
  reports,
  statuses,
  type ReportCategory,
} from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';

/** A report as filed (Mastodon's Report entity is rendered from it). */
export interface FiledReport {
  id: string;
  /** Who filed it. */
  accountId: string;
  targetAccountId: string;
  statusIds: string[];
  ruleIds: string[];
  comment: string;
  category: ReportCategory;
  forwarded: boolean;
  assignedAccountId: string | null;
  actionTakenAt: Date | null;
  actionTakenByAccountId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const MAX_REPORT_COMMENT_LENGTH = 1000;
const MAX_REPORTED_STATUSES = 100;

export interface FileReportInput {
  accountId: string;
  targetAccountId: string;
  statusIds?: readonly string[];
  comment?: string;
  category?: string;
  ruleIds?: readonly string[];
  forward?: boolean;
  requestId?: string | null;
}

/**
 * Files a report with the moderators (Mastodon's `POST /api/v1/reports`). The reported statuses must
 * be the target's own; a `violation` report cites at least one current rule (Mastodon's rule, and
 * cited rules make sense only then). Writes ReportFiled, from which the worker notifies the staff.
 */
export async function fileReport(database: Database, input: FileReportInput): Promise<FiledReport> {
  // As Mastodon: citing rules makes it a violation report, whatever category was given.
  const category = input.ruleIds?.length ? 'violation' : (input.category ?? 'other');
  if (!(REPORT_CATEGORIES as readonly string[]).includes(category)) {
    throw new DomainError(
      'InvalidField',
      `Category must be one of ${REPORT_CATEGORIES.join(', ')}`,
      'category',
    );
  }
  const comment = input.comment ?? '';
  if ([...comment].length > MAX_REPORT_COMMENT_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `Comment is too long (maximum is ${MAX_REPORT_COMMENT_LENGTH} characters)`,
      'comment',
    );
  }
  const statusIds = [...new Set(input.statusIds ?? [])];
  const ruleIds = category === 'violation' ? [...new Set(input.ruleIds ?? [])] : [];
  if (statusIds.length > MAX_REPORTED_STATUSES) {
    throw new DomainError('InvalidField', 'Too many statuses in one report', 'status_ids');
  }
  if (input.targetAccountId === input.accountId) {
    throw new DomainError('InvalidField', 'You cannot report yourself', 'account_id');
  }
  if (!isSnowflakeId(input.targetAccountId)) {
    throw new DomainError('AccountNotFound', 'Record not found');
  }
  return withTransaction(database, async (tx) => {
    const [target] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, input.targetAccountId))
      .limit(1);
    if (!target) throw new DomainError('AccountNotFound', 'Record not found');
    if (statusIds.length > 0) {
      const own = statusIds.every(isSnowflakeId)
        ? await tx
            .select({ id: statuses.id })
            .from(statuses)
            .where(
              and(
                inArray(statuses.id, statusIds),
                eq(statuses.accountId, target.id),
                isNull(statuses.deletedAt),
              ),
            )
        : [];
      if (own.length !== statusIds.length) {
        throw new DomainError(
          'InvalidField',
          'Reported statuses must be posts of the reported account',
          'status_ids',
        );
      }
    }
    if (category === 'violation') {
      const cited = ruleIds.every(isSnowflakeId)
        ? await tx
            .select({ id: instanceRules.id })
            .from(instanceRules)
            .where(and(inArray(instanceRules.id, ruleIds), isNull(instanceRules.deletedAt)))
        : [];
      if (ruleIds.length === 0 || cited.length !== ruleIds.length) {
        throw new DomainError(
          'InvalidField',
          'A report of a rule violation must cite rules of this server',
          'rule_ids',
        );
      }
    }
    const [row] = await tx
      .insert(reports)
      .values({
        accountId: input.accountId,
        targetAccountId: target.id,
        statusIds,
        ruleIds,
        comment,
        category: category as ReportCategory,
        // Nothing to forward to until federation: every account is local.
        forwarded: false,
      })
      .returning();
    await tx.execute(
      outboxInsert([
        newEvent(
          'ReportFiled',
          { reportId: row!.id, accountId: input.accountId, targetAccountId: target.id },
          input.requestId,
        ),
      ]),
    );
    return row!;
  });
}
