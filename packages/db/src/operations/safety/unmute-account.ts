import type { Database } from '../../client.js';
import { endAccountRelation, type AccountRelationInput } from './end-account-relation.js';

/** Ends a mute and writes AccountUnmuted; nothing (and no event) when there was none. */
export function unmuteAccount(database: Database, input: AccountRelationInput): Promise<void> {
  return endAccountRelation(database, { table: 'mutes', event: 'AccountUnmuted' }, input);
}
