/**
 * How often other servers hear of a local poll's counts. Mastodon sends an `Update` of the
 * `Question` when a poll ends, and a few minutes after votes; here a vote sends one at most once
 * per poll and window (`POLL_COUNTS_WINDOW_MS`): the first vote of a window sends the counts as
 * they are then, later votes in the same window send nothing, and the end sends the final counts.
 * The bound is kept by the delivery ledger itself: every vote of a window plans its `Update` under
 * the same ledger key, and the ledger writes a key's deliveries once. Pure.
 */
import { ledgerKeyOf } from './ledger-key.js';

export const POLL_COUNTS_WINDOW_MS = 3 * 60_000;

/** The ledger key (a UUID, as event ids are) of the counts `Update` for votes in this window. */
export function pollCountsLedgerKey(pollId: string, votedAt: Date): string {
  const window = Math.floor(votedAt.getTime() / POLL_COUNTS_WINDOW_MS);
  return ledgerKeyOf(`poll-counts:${pollId}:${window}`);
}
