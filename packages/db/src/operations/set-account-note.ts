import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { DomainError } from '../errors.js';
import { accountNotes } from '../schema/index.js';
import { requireAccount } from './follows.js';

export const MAX_ACCOUNT_NOTE_LENGTH = 2000;

/**
 * Sets the account's private note about another account (`note` in Relationship); an empty note
 * removes it. Only its author ever sees a note, so no event is written.
 */
export async function setAccountNote(
  database: Database,
  input: { accountId: string; targetAccountId: string; comment: string },
): Promise<void> {
  const comment = input.comment.trim();
  if ([...comment].length > MAX_ACCOUNT_NOTE_LENGTH) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: Comment is too long (maximum is ${MAX_ACCOUNT_NOTE_LENGTH} characters)`,
      'comment',
    );
  }
  await requireAccount(database.primary, input.targetAccountId);
  if (comment === '') {
    await database.primary
      .delete(accountNotes)
      .where(
        and(
          eq(accountNotes.accountId, input.accountId),
          eq(accountNotes.targetAccountId, input.targetAccountId),
        ),
      );
    return;
  }
  await database.primary
    .insert(accountNotes)
    .values({ accountId: input.accountId, targetAccountId: input.targetAccountId, comment })
    .onConflictDoUpdate({
      target: [accountNotes.accountId, accountNotes.targetAccountId],
      set: { comment, updatedAt: new Date() },
    });
}
