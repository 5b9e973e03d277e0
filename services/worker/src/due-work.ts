/**
 * Work that falls due at a time rather than on an event: polls whose time ran out (PollEnded, then
 * the notify step tells the author and the voters), scheduled statuses (posted through the same
 * operation as any post) and the statuses of deleted accounts (purged in bounded batches). Every worker runs the job; each item is claimed with `SKIP LOCKED` and
 * marked or removed in the transaction that writes its effect, so it happens exactly once however
 * many workers run, and promptly even if one of them is stuck.
 */
import { type Database } from '@murmur/db';
import { purgeDeletedAccountsStatuses } from '@murmur/db/accounts';
import { endDuePolls, publishDueScheduledStatuses } from '@murmur/db/statuses';
import type { Logger } from '@murmur/service-kit';

/** Statuses of deleted accounts removed by one statement. */
const PURGE_BATCH = 500;

export async function dueWorkJob(
  database: Database,
  logger: Logger,
  options: { maxStatusCharacters: number },
): Promise<void> {
  let ended = 0;
  for (let batch = await endDuePolls(database); batch > 0; batch = await endDuePolls(database)) {
    ended += batch;
  }
  if (ended > 0) logger.info({ polls: ended }, 'polls ended');

  let purged = 0;
  for (;;) {
    const batch = await purgeDeletedAccountsStatuses(database, { limit: PURGE_BATCH });
    purged += batch;
    if (batch < PURGE_BATCH) break;
  }
  if (purged > 0) logger.info({ statuses: purged }, 'statuses of deleted accounts purged');

  for (;;) {
    const outcome = await publishDueScheduledStatuses(database, {
      maxCharacters: options.maxStatusCharacters,
    });
    for (const { scheduledStatusId, reason } of outcome.dropped) {
      logger.warn({ scheduledStatusId, reason }, 'scheduled status could not be posted; dropped');
    }
    if (outcome.published.length > 0) {
      logger.info({ statusIds: outcome.published }, 'scheduled statuses posted');
    }
    if (outcome.published.length + outcome.dropped.length === 0) break;
  }
}
