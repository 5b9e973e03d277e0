import type { Executor } from '../client.js';
import { getVisibleStatus, type StatusRow } from './statuses.js';

/**
 * The status an action on `statusId` is about, as the account sees it: a reblog stands for its
 * original (bookmarking or pinning a boost means the boosted post). Throws StatusNotFound (404)
 * when either is invisible to the account.
 */
export async function actionTarget(
  executor: Executor,
  statusId: string,
  accountId: string,
): Promise<StatusRow> {
  const status = await getVisibleStatus(executor, statusId, accountId);
  return status.reblogOfId ? getVisibleStatus(executor, status.reblogOfId, accountId) : status;
}
