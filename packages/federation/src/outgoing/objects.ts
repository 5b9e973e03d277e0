/**
 * Local statuses served as ActivityPub objects at their ids (`STATUS_PATH`), and the outbox's
 * items. Only public and unlisted statuses are served, to anyone: followers-only and direct ones
 * reach their audience by delivery and are never served (a 404), so no signed-fetch rule can leak
 * them. Mastodon fetches a status by its id when someone pastes its URL or a reply names it. A
 * status with a poll is served as its `Question` (with the counts as they are now), as Mastodon
 * serves it, so a server that fetches it gets the poll.
 */
import type { Federation, RequestContext } from '@fedify/fedify';
import { type Create, type Note, Object as ActivityObject, type Question } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { findOutgoingStatus, publicStatusIdsOf } from '@murmur/db/federation';
import { STATUS_PATH } from '../local-uris.js';
import { createActivity } from './activities.js';
import { statusObjectOf } from './question.js';

/** Outbox pages hold this many activities, as Mastodon's do. */
export const OUTBOX_PAGE_SIZE = 20;

const SERVED_VISIBILITIES = new Set(['public', 'unlisted']);

async function servedObject(
  database: Database,
  publicOrigin: string,
  username: string,
  statusId: string,
): Promise<Note | Question | null> {
  const outgoing = await findOutgoingStatus(database.replica, statusId);
  if (!outgoing || outgoing.status.account.username !== username) return null;
  if (!SERVED_VISIBILITIES.has(outgoing.status.visibility)) return null;
  return statusObjectOf(publicOrigin, outgoing);
}

export function registerStatusObjects(
  federation: Federation<void>,
  options: {
    database: Database;
    publicOrigin: string;
    /** Who may read (secure mode's signature rule, `federation.ts`). */
    authorize: (ctx: RequestContext<void>) => Promise<boolean>;
  },
): void {
  const { database, publicOrigin, authorize } = options;
  // Registered for `Object`: a status is a `Note`, or a `Question` when it has a poll.
  federation
    .setObjectDispatcher(ActivityObject, STATUS_PATH, (_ctx, values) =>
      /^[0-9]{1,19}$/.test(values.id)
        ? servedObject(database, publicOrigin, values.identifier, values.id)
        : null,
    )
    .authorize((ctx) => authorize(ctx));

  federation
    .setOutboxDispatcher('/users/{identifier}/outbox', async (_ctx, identifier, cursor) => {
      const account = await findAccountByUsername(database.replica, identifier);
      if (!account || account.username !== identifier) return null;
      // Without a cursor Fedify asks for the collection itself: its count, and `first` links.
      if (cursor === null) return { items: [] };
      const ids = await publicStatusIdsOf(database.replica, account.id, {
        maxId: cursor === '' ? null : cursor,
        limit: OUTBOX_PAGE_SIZE,
      });
      const objects = await Promise.all(
        ids.map((id) => servedObject(database, publicOrigin, identifier, id)),
      );
      const items: Create[] = objects.filter((object) => object !== null).map(createActivity);
      return {
        items,
        nextCursor: ids.length === OUTBOX_PAGE_SIZE ? ids.at(-1)! : null,
      };
    })
    .setCounter(
      async (_ctx, identifier) =>
        (await findAccountByUsername(database.replica, identifier))?.statusesCount ?? null,
    )
    .setFirstCursor(() => '')
    .authorize((ctx) => authorize(ctx));
}
