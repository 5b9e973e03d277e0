import type { Database } from '../../client.js';
import { DomainError } from '../../errors.js';

/** A bulk action on a person's notification requests; returns how many it applied to. */
export type NotificationRequestsAction = (
  database: Database,
  accountId: string,
  requestIds: readonly string[],
) => Promise<number>;

/**
 * The single-request form of a bulk action (Mastodon's `/notifications/requests/:id/accept`
 * beside the bulk `/accept`): NotificationNotFound when the request is not one of the person's,
 * where the bulk form skips it.
 */
export function forOneRequest(
  action: NotificationRequestsAction,
): (database: Database, accountId: string, requestId: string) => Promise<void> {
  return async (database, accountId, requestId) => {
    if ((await action(database, accountId, [requestId])) === 0) {
      throw new DomainError('NotificationNotFound', 'Record not found');
    }
  };
}
