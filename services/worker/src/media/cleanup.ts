/** The periodic removal of media no post uses: rows first, then their files. */
import { type Database } from '@murmur/db';
import { removeExpiredMedia } from '@murmur/db/media';
import type { MediaStorage } from '@murmur/media';
import type { Logger } from '@murmur/service-kit';

const BATCH = 500;

export async function cleanUpMedia(
  deps: { database: Database; storage: MediaStorage; logger: Logger },
  options: { now: Date; unattachedTtlMs: number },
): Promise<number> {
  const unattachedBefore = new Date(options.now.getTime() - options.unattachedTtlMs);
  let total = 0;
  for (;;) {
    const { removed, keys } = await removeExpiredMedia(deps.database, {
      unattachedBefore,
      limit: BATCH,
    });
    total += removed;
    try {
      await deps.storage.delete(keys);
    } catch (err) {
      // The rows are gone, so nothing shows these files any more; they are only wasted space.
      deps.logger.error({ err, keys: keys.length }, 'media files could not be deleted');
    }
    if (removed < BATCH) break;
  }
  if (total > 0) deps.logger.info({ removed: total }, 'unused media removed');
  return total;
}
