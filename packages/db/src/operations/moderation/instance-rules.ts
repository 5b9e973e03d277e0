import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { instanceRules } from '../../schema/index.js';
import { withTransaction } from '../../transaction.js';
import { logAdminAction, type ModeratorId } from './moderator.js';

export const MAX_RULE_TEXT_LENGTH = 300;
export const MAX_RULE_HINT_LENGTH = 1000;

export interface InstanceRule {
  id: string;
  text: string;
  hint: string;
}

/** The rules in force, in order (served by `/api/v1/instance/rules`, shown at sign-up). */
export async function listInstanceRules(executor: Executor): Promise<InstanceRule[]> {
  return executor
    .select({ id: instanceRules.id, text: instanceRules.text, hint: instanceRules.hint })
    .from(instanceRules)
    .where(isNull(instanceRules.deletedAt))
    .orderBy(asc(instanceRules.position), asc(instanceRules.id));
}

/** Adds a rule at the end of the list. */
export async function addInstanceRule(
  database: Database,
  input: { moderatorId: ModeratorId; text: string; hint?: string },
): Promise<InstanceRule> {
  const text = input.text.trim();
  const hint = (input.hint ?? '').trim();
  if (text.length === 0 || [...text].length > MAX_RULE_TEXT_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `A rule is 1 to ${MAX_RULE_TEXT_LENGTH} characters long`,
      'text',
    );
  }
  if ([...hint].length > MAX_RULE_HINT_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `A rule's hint is at most ${MAX_RULE_HINT_LENGTH} characters long`,
      'hint',
    );
  }
  return withTransaction(database, async (tx) => {
    const [rule] = await tx
      .insert(instanceRules)
      .values({
        text,
        hint,
        position: sql`coalesce((select max(position) + 1 from instance_rules where deleted_at is null), 0)`,
      })
      .returning({ id: instanceRules.id, text: instanceRules.text, hint: instanceRules.hint });
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: 'create_rule',
      targetType: 'Rule',
      targetId: rule!.id,
      targetLabel: text.slice(0, 100),
    });
    return rule!;
  });
}

/** Removes a rule from the list; reports that cited it keep the citation. */
export async function removeInstanceRule(
  database: Database,
  input: { moderatorId: ModeratorId; ruleId: string },
): Promise<void> {
  if (!isSnowflakeId(input.ruleId)) throw new DomainError('RuleNotFound', 'Record not found');
  await withTransaction(database, async (tx) => {
    const [rule] = await tx
      .update(instanceRules)
      .set({ deletedAt: new Date() })
      .where(and(eq(instanceRules.id, input.ruleId), isNull(instanceRules.deletedAt)))
      .returning({ id: instanceRules.id, text: instanceRules.text });
    if (!rule) throw new DomainError('RuleNotFound', 'Record not found');
    await logAdminAction(tx, {
      moderatorId: input.moderatorId,
      action: 'destroy_rule',
      targetType: 'Rule',
      targetId: rule.id,
      targetLabel: rule.text.slice(0, 100),
    });
  });
}
