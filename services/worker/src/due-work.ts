/**
 * Work that falls due at a time rather than on an event: polls whose time ran out (PollEnded, then
 * the notify step tells the author and the voters) and scheduled statuses (posted through the same
 * operation as any post). Every worker runs the job; each item is claimed with `SKIP LOCKED` and
 * marked or removed in the transaction that writes its effect, so it happens exactly once however
 * many workers run, and promptly even if one of them is stuck.
 */
import { type Database } from '@murmur/db';
import { endDuePolls, publishDueScheduledStatuses } from '@murmur/db/statuses';
import type { Logger } from '@murmur/service-kit';

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
