/**
 * A participant's direct conversations, the newest message first, paged by that message's id (as
 * Mastodon's Link header does). A conversation whose every status was deleted is left out.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { isSnowflakeId } from '../ids.js';
import { conversationNotFound } from '../operations/conversations/mark-conversation-read.js';
import { hydrateAccounts, hydrateStatuses } from './hydrate.js';
import { selectPage, type Page } from './pagination.js';
import type { AccountView, StatusView } from './views.js';

export interface ConversationView {
  id: string;
  unread: boolean;
  accounts: AccountView[];
  lastStatus: StatusView | null;
}

export interface ConversationsPage {
  conversations: ConversationView[];
  /** Cursors for `Link` (the last statuses' ids), null when empty. */
  firstCursor: string | null;
  lastCursor: string | null;
}

interface ConversationRow {
  id: string;
  unread: boolean;
  participantIds: string[];
  lastStatusId: string | null;
  cursor: string;
}

async function hydrateConversations(
  executor: Executor,
  viewerId: string,
  rows: ConversationRow[],
): Promise<ConversationView[]> {
  const accountIds = [...new Set(rows.flatMap((r) => r.participantIds))];
  const statusIds = rows.flatMap((r) => (r.lastStatusId ? [r.lastStatusId] : []));
  const [accounts, statuses] = await Promise.all([
    hydrateAccounts(executor, accountIds),
    hydrateStatuses(executor, statusIds, viewerId),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  return rows.map((r) => ({
    id: r.id,
    unread: r.unread,
    accounts: r.participantIds.flatMap((id) => accountById.get(id) ?? []),
    lastStatus: (r.lastStatusId && statusById.get(r.lastStatusId)) || null,
  }));
}

const CONVERSATION_COLUMNS = sql`c.id::text as id, c.unread,
  c.participant_ids::text[] as "participantIds", c.last_status_id::text as cursor,
  (select max(x)::text from unnest(c.status_ids) x join statuses s on s.id = x
    where s.deleted_at is null) as "lastStatusId"`;

export async function conversationsOf(
  executor: Executor,
  viewerId: string,
  page: Page,
): Promise<ConversationsPage> {
  const ordered = await selectPage<ConversationRow>(
    executor,
    sql`select ${CONVERSATION_COLUMNS} from account_conversations c`,
    sql`c.last_status_id`,
    [
      sql`c.account_id = ${viewerId}`,
      sql`exists (select 1 from unnest(c.status_ids) x join statuses s on s.id = x
          where s.deleted_at is null)`,
    ],
    page,
  );
  return {
    conversations: await hydrateConversations(executor, viewerId, ordered),
    firstCursor: ordered[0]?.cursor ?? null,
    lastCursor: ordered.at(-1)?.cursor ?? null,
  };
}

/** One of the participant's conversations, or ConversationNotFound. */
export async function findConversation(
  executor: Executor,
  viewerId: string,
  conversationId: string,
): Promise<ConversationView> {
  if (!isSnowflakeId(conversationId)) throw conversationNotFound();
  const rows = await queryRows<ConversationRow>(
    executor,
    sql`select ${CONVERSATION_COLUMNS} from account_conversations c
      where c.id = ${conversationId} and c.account_id = ${viewerId}`,
  );
  if (rows.length === 0) throw conversationNotFound();
  const [view] = await hydrateConversations(executor, viewerId, rows);
  return view!;
}
