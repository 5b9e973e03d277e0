import type { Database } from '../client.js';
import { suggestionDismissals } from '../schema/index.js';
import { requireAccount } from './follows.js';

/** Never suggest `targetAccountId` to the account again. Private to the account: no event. */
export async function dismissSuggestion(
  database: Database,
  input: { accountId: string; targetAccountId: string },
): Promise<void> {
  await requireAccount(database.primary, input.targetAccountId);
  await database.primary
    .insert(suggestionDismissals)
    .values({ accountId: input.accountId, targetAccountId: input.targetAccountId })
    .onConflictDoNothing();
}
