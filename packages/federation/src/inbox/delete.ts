/**
 * `Delete`: of the actor itself (its server deleted the account), the remote account is removed
 * from view (`deleteRemoteAccount`); of a note, the status is deleted as its author would delete it
 * (counters, StatusDeleted, home feeds, notifications). Only the author's own objects: a `Delete`
 * naming someone else's status, or a local one, changes nothing.
 */
import type { Delete } from '@fedify/vocab';
import { isDomainError } from '@murmur/db';
import { deleteRemoteAccount, findAccountByUri, findStatusByUri } from '@murmur/db/federation';
import { deleteStatus } from '@murmur/db/statuses';
import type { InboxContext } from './context.js';

export async function applyDelete(ctx: InboxContext, del: Delete, actorUri: URL): Promise<void> {
  const objectId = del.objectId;
  if (!objectId || objectId.origin !== actorUri.origin) return;
  const author = await findAccountByUri(ctx.database.primary, actorUri.href);
  if (!author || author.domain === null) return;
  if (objectId.href === actorUri.href) {
    await deleteRemoteAccount(ctx.database, author.id);
    return;
  }
  const status = await findStatusByUri(ctx.database.primary, objectId.href);
  if (!status || status.deleted || status.accountId !== author.id) return;
  try {
    await deleteStatus(ctx.database, { accountId: author.id, statusId: status.id });
  } catch (error) {
    // Deleted meanwhile (a Delete delivered to two inboxes): nothing left to do.
    if (!isDomainError(error, 'StatusNotFound')) throw error;
  }
}
