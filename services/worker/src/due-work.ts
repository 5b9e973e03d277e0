/**
 * Work that falls due at a time rather than on an event: polls whose time ran out (PollEnded, then
 * the notify step tells the author and the voters). Every worker runs the job; each item is claimed
 * with `SKIP LOCKED` and marked in the transaction that writes its effect, so it happens exactly
 * once however many workers run, and promptly even if one of them is stuck.
 */
import { endDuePolls, type Database } from '@murmur/db';
import type { Logger } from '@murmur/service-kit';

/** Ends every poll that is due, a batch per transaction. */
export async function dueWorkJob(database: Database, logger: Logger): Promise<void> {
  let ended = 0;
  for (let batch = await endDuePolls(database); batch > 0; batch = await endDuePolls(database)) {
    ended += batch;
  }
  if (ended > 0) logger.info({ polls: ended }, 'polls ended');
}
