/**
 * Local statuses served as ActivityPub objects at their ids (`STATUS_PATH`), and the outbox's
 * items. Only public and unlisted statuses are served, to anyone: followers-only and direct ones
 * reach their audience by delivery and are never served (a 404), so no signed-fetch rule can leak
 * them. Mastodon fetches a status by its id when someone pastes its URL or a reply names it.
 */
import type { Federation, RequestContext } from '@fedify/fedify';
import type { Create } from '@fedify/vocab';
import { Note } from '@fedify/vocab';
import { type Database } from '@murmur/db';
import { findAccountByUsername } from '@murmur/db/accounts';
import { findOutgoingStatus, publicStatusIdsOf } from '@murmur/db/federation';
import { STATUS_PATH } from '../local-uris.js';
import { createActivity } from './activities.js';
import { noteOf } from './note.js';

/** Outbox pages hold this many activities, as Mastodon's do. */
export const OUTBOX_PAGE_SIZE = 20;

const SERVED_VISIBILITIES = new Set(['public', 'unlisted']);

async function servedNote(
  database: Database,
  publicOrigin: string,
  username: string,
  statusId: string,
): Promise<Note | null> {
  const outgoing = await findOutgoingStatus(database.replica, statusId);
  if (!outgoing || outgoing.status.account.username !== username) return null;
  if (!SERVED_VISIBILITIES.has(outgoing.status.visibility)) return null;
  return noteOf(publicOrigin, outgoing);
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
  federation
    .setObjectDispatcher(Note, STATUS_PATH, (_ctx, values) =>
      /^[0-9]{1,19}$/.test(values.id)
        ? servedNote(database, publicOrigin, values.identifier, values.id)
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
      const notes = await Promise.all(
        ids.map((id) => servedNote(database, publicOrigin, identifier, id)),
      );
      const items: Create[] = notes.filter((note) => note !== null).map(createActivity);
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
