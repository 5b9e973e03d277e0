import type { Database } from '../../client.js';
import type { BlockInput } from './block-account.js';
import { endAccountRelation } from './end-account-relation.js';

/**
 * Ends a block and writes AccountUnblocked; nothing (and no event) when there was none. The ended
 * follows are not restored (as in Mastodon). One statement; 404 for an unknown account.
 */
export function unblockAccount(database: Database, input: BlockInput): Promise<void> {
  return endAccountRelation(database, { table: 'blocks', event: 'AccountUnblocked' }, input);
}
