/**
 * Accounts of other servers, stored from their ActivityPub actor documents: created the first
 * time one is resolved, updated (refreshed) when its document is read again. Identified by the
 * actor's id (`uri`); `username@domain` is how people and clients name them.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../../client.js';
import { domainBlockCovers } from '../../queries/instance-domain-blocks.js';
import { accounts } from '../../schema/index.js';
import { newEvent, outboxInsert } from '../outbox.js';

/** What Murmur keeps of a remote actor. */
export interface RemoteActorProfile {
  uri: string;
  username: string;
  /** The server's host, with its port when it is not the default one. */
  domain: string;
  displayName: string;
  /** Plain text (the actor's HTML summary, reduced to text). */
  note: string;
  url: string | null;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  avatarUrl: string | null;
  headerUrl: string | null;
  createdAt: Date | null;
  /**
   * Its follows are requests its owner answers (`manuallyApprovesFollowers`, Mastodon's `locked`);
   * an actor that does not say is open.
   */
  locked?: boolean;
}

/** Remote documents can hold anything: what is kept is cut to sane lengths. */
const MAX_REMOTE_TEXT = 5_000;
const MAX_REMOTE_NAME = 255;

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/**
 * Stores the actor (new) or refreshes it (known by its uri); returns the account id. When its
 * avatar or header is new, changed, or not cached yet, writes RemoteAccountImagesChanged in the
 * same statement: the worker's `media` consumer fetches and caches them (`remote-profile-images.ts`).
 */
export async function upsertRemoteAccount(
  database: Database,
  actor: RemoteActorProfile,
): Promise<string> {
  const values = {
    username: cut(actor.username, MAX_REMOTE_NAME),
    domain: actor.domain.toLowerCase(),
    uri: actor.uri,
    url: actor.url,
    displayName: cut(actor.displayName, MAX_REMOTE_NAME),
    note: cut(actor.note, MAX_REMOTE_TEXT),
    inboxUrl: actor.inboxUrl,
    sharedInboxUrl: actor.sharedInboxUrl,
    remoteAvatarUrl: actor.avatarUrl,
    remoteHeaderUrl: actor.headerUrl,
    locked: actor.locked ?? false,
    fetchedAt: sql`now()`,
  };
  // A server the instance silences or suspends: its accounts are so from their first appearance.
  const blockedAt = (severity: 'silence' | 'suspend') =>
    sql`(select b.created_at from instance_domain_blocks b where b.severity = ${severity}
      and ${domainBlockCovers(sql`b`, sql`${values.domain}`)} order by b.created_at limit 1)`;
  const upsert = database.primary
    .insert(accounts)
    .values({
      ...values,
      ...(actor.createdAt ? { createdAt: actor.createdAt } : {}),
      silencedAt: blockedAt('silence'),
      suspendedAt: blockedAt('suspend'),
    })
    .onConflictDoUpdate({ target: accounts.uri, set: values })
    .returning({ id: accounts.id });
  // Which cached images are outdated: of an account known already, those whose URL changed or
  // that are not cached; of a new one, those it has.
  const outdated = (storedUrl: string, key: string, url: string | null) =>
    sql`coalesce((select (${sql.raw(storedUrl)} is distinct from ${url}::text
        or (${url}::text is not null and ${sql.raw(key)} is null)) from before),
      ${url}::text is not null)`;
  const avatarOutdated = outdated('remote_avatar_url', 'avatar_key', actor.avatarUrl);
  const headerOutdated = outdated('remote_header_url', 'header_key', actor.headerUrl);
  // The data are the statement's (a new account has no id yet): `dataFromStatement` sets them.
  const imagesChanged = newEvent(
    'RemoteAccountImagesChanged',
    { accountId: '0', avatar: false, header: false },
    null,
  );
  const [row] = await queryRows<{ id: string }>(
    database.primary,
    sql`with before as (
        select remote_avatar_url, remote_header_url, avatar_key, header_key
        from accounts where uri = ${actor.uri}
      ),
      upserted as (${upsert.getSQL()}),
      events as (${outboxInsert(
        [imagesChanged],
        sql`${avatarOutdated} or ${headerOutdated}`,
        sql`jsonb_build_object('accountId', (select id::text from upserted),
          'avatar', ${avatarOutdated}, 'header', ${headerOutdated})`,
      )})
      select id::text as id from upserted`,
  );
  return row!.id;
}

/** A stored remote account by `username@domain` (case-insensitive), with when it was fetched. */
export async function findRemoteAccount(
  executor: Executor,
  username: string,
  domain: string,
): Promise<{ id: string; uri: string; fetchedAt: Date | null } | null> {
  const rows = await queryRows<{ id: string; uri: string; fetchedAt: Date | string | null }>(
    executor,
    sql`select id::text as id, uri, fetched_at as "fetchedAt" from accounts
      where domain = lower(${domain}) and lower(username) = lower(${username}) limit 1`,
  );
  const row = rows[0];
  if (!row) return null;
  return { ...row, fetchedAt: row.fetchedAt === null ? null : new Date(row.fetchedAt) };
}
