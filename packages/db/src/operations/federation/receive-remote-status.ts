/**
 * A status another server delivered (an incoming `Create` of a `Note`), stored as a row of
 * `statuses` by a remote account, with its ActivityPub id (`uri`), its page (`url`) and its content
 * as sanitized HTML. The federation package has checked the activity, sanitized the HTML and
 * resolved what it names (author, parent, mentioned accounts); this writes it, with the same events
 * a local post writes (PostCreated, and UserMentioned per mentioned local account), so home feeds,
 * notifications, mention e-mails and streaming follow from the one road.
 *
 * Idempotent by `uri`: the same note delivered twice (to two inboxes, or redelivered) is one status
 * and one set of events.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import type { Visibility } from '../../schema/index.js';
import { createTagsStatement, newTagsOf } from '../statuses/create.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { MAX_MEDIA_PER_STATUS } from '../media/attach-to-status.js';
import { MAX_MEDIA_DESCRIPTION_LENGTH } from '../media/rules.js';

export interface RemoteStatusInput {
  /** The remote author (a stored remote account). */
  accountId: string;
  uri: string;
  url: string | null;
  /** Sanitized HTML, as clients are shown it. */
  contentHtml: string;
  /** Its plain text (search, filters, the text of the e-mail about a mention). */
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  visibility: Visibility;
  /** The parent, when it is a status known here (local or stored remote). */
  inReplyToId: string | null;
  /** Accounts the note mentions that exist here (local or remote); local ones are notified. */
  mentionedAccountIds: readonly string[];
  hashtags: readonly { name: string; displayName: string }[];
  /** The note's `published`, never later than now (a server cannot post into the future). */
  publishedAt: Date;
  /** Its attachments, in order (at most `MAX_MEDIA_PER_STATUS` are kept). */
  attachments?: readonly RemoteAttachmentInput[];
  /** Its poll, when it is a `Question`. */
  poll?: RemotePollInput | null;
}

/**
 * A remote `Question`'s poll, with the counts its server reports (`replies.totalItems` per option,
 * `votersCount`): they are the server's, and an `Update` of the question replaces them.
 */
export interface RemotePollInput {
  /** 2 to `MAX_REMOTE_POLL_OPTIONS` titles. */
  options: readonly string[];
  optionVotes: readonly number[];
  multiple: boolean;
  votersCount: number;
  expiresAt: Date;
}

export const MAX_REMOTE_POLL_OPTIONS = 10;

/**
 * An attachment of a remote note, checked by the federation package. An image is stored pending
 * and fetched by the worker's `media` consumer (a `MediaUploaded` event, as an upload); anything
 * else is kept as a link (`unknown`).
 */
export interface RemoteAttachmentInput {
  /** An http(s) URL on the note's server or elsewhere; fetched only through the safe fetch. */
  remoteUrl: string;
  kind: 'image' | 'unknown';
  description: string | null;
  /** The sender's blurhash and size, shown until the file is processed here. */
  blurhash: string | null;
  width: number | null;
  height: number | null;
  focus: { x: number; y: number };
}

/** Remote statuses can hold anything: what is kept is cut to sane lengths. */
export const MAX_REMOTE_CONTENT = 100_000;
export const MAX_REMOTE_SPOILER = 1_000;
export const MAX_REMOTE_MENTIONS = 100;
export const MAX_REMOTE_HASHTAGS = 50;

interface Prepared {
  id: string;
  mediaIds: string[];
  parent: { id: string; accountId: string } | null;
  localMentioned: string[];
  mentioned: string[];
  knownTags: { id: string; name: string }[];
  existing: string | null;
}

/** Stores the status (or finds it, already stored by `uri`); returns its id. */
export async function receiveRemoteStatus(
  database: Database,
  input: RemoteStatusInput,
): Promise<{ id: string; created: boolean }> {
  const hashtags = input.hashtags.slice(0, MAX_REMOTE_HASHTAGS);
  const attachments = (input.attachments ?? []).slice(0, MAX_MEDIA_PER_STATUS);
  const mentionIds = [...new Set(input.mentionedAccountIds)]
    .filter((id) => id !== input.accountId)
    .slice(0, MAX_REMOTE_MENTIONS);
  const [prepared] = await queryRows<Prepared>(
    database.primary,
    sql`select snowflake_id()::text as "id",
      array(select snowflake_id()::text from generate_series(1, ${attachments.length})) as "mediaIds",
      (select id::text from statuses where uri = ${input.uri}) as "existing",
      (select json_build_object('id', p.id::text, 'accountId', p.account_id::text) from statuses p
        where p.id = ${input.inReplyToId} and p.deleted_at is null and p.reblog_of_id is null)
        as "parent",
      coalesce((select json_agg(a.id::text) from accounts a
        where a.id = any(${sql.param(mentionIds)}::bigint[]) and a.domain is null), '[]')
        as "localMentioned",
      coalesce((select json_agg(a.id::text) from accounts a
        where a.id = any(${sql.param(mentionIds)}::bigint[])), '[]') as "mentioned",
      coalesce((select json_agg(json_build_object('id', t.id::text, 'name', t.name)) from tags t
        where t.name = any(${sql.param(hashtags.map((h) => h.name))}::text[])), '[]')
        as "knownTags"`,
  );
  if (prepared!.existing) return { id: prepared!.existing, created: false };
  const { id, mediaIds, parent, localMentioned, mentioned, knownTags } = prepared!;
  const media = attachments.map((attachment, position) => ({
    ...attachment,
    id: mediaIds[position]!,
    position,
  }));
  const publishedAt = new Date(Math.min(input.publishedAt.getTime(), Date.now()));
  const newTags = newTagsOf(hashtags, knownTags);
  const inserted = sql`exists (select 1 from inserted)`;
  const events = outboxInsert(
    [
      newEvent(
        'PostCreated',
        {
          statusId: id,
          accountId: input.accountId,
          visibility: input.visibility,
          inReplyToId: parent?.id ?? null,
          mentionedAccountIds: localMentioned,
          hashtags: hashtags.map((h) => h.name),
          createdAt: publishedAt.toISOString(),
        },
        null,
      ),
      ...localMentioned.map((mentionedAccountId) =>
        newEvent(
          'UserMentioned',
          { statusId: id, accountId: input.accountId, mentionedAccountId },
          null,
        ),
      ),
      // Images are fetched and processed by the `media` consumer, as uploads are.
      ...media
        .filter((m) => m.kind === 'image')
        .map((m) => newEvent('MediaUploaded', { mediaId: m.id, accountId: input.accountId }, null)),
    ],
    inserted,
  );
  const [row] = await queryRows<{ id: string | null }>(
    database.primary,
    sql`
    with inserted as (
      insert into statuses (id, account_id, text, spoiler_text, sensitive, language, visibility,
        in_reply_to_id, in_reply_to_account_id, created_at, uri, url, content_html)
      values (${id}, ${input.accountId}, ${input.text}, ${input.spoilerText.slice(0, MAX_REMOTE_SPOILER)},
        ${input.sensitive}, ${input.language}, ${input.visibility}, ${parent?.id ?? null},
        ${parent?.accountId ?? null}, ${publishedAt}, ${input.uri}, ${input.url},
        ${input.contentHtml})
      -- Delivered to two inboxes at once: the first insert wins, the other writes nothing.
      on conflict (uri) where uri is not null do nothing
      returning id
    ), mentioned as (
      insert into mentions (status_id, account_id)
      select inserted.id, m.id from inserted, unnest(${sql.param(mentioned)}::bigint[]) as m(id)
    ), created_tags as (${createTagsStatement(newTags)}
    ), tagged as (
      insert into status_tags (tag_id, status_id)
      select tag.id, inserted.id from inserted, (
        select id from created_tags
        union all select unnest(${sql.param(knownTags.map((t) => t.id))}::bigint[])) tag
    ), counted as (
      update accounts set statuses_count = statuses_count + 1,
        last_status_at = ${publishedAt.toISOString().slice(0, 10)}
      where id = ${input.accountId} and ${inserted}
    ), replied as (
      update statuses set replies_count = replies_count + 1
      where id = ${parent?.id ?? null} and ${inserted}
    ), attached as (${attachmentsInsert(media, input.accountId)}
    ), polled as (${pollInsert(input.poll ?? null, input.accountId)}
    ), events as (${events})
    select (select id::text from inserted) as id`,
  );
  if (row?.id) return { id: row.id, created: true };
  const [raced] = await queryRows<{ id: string }>(
    database.primary,
    sql`select id::text as id from statuses where uri = ${input.uri}`,
  );
  return { id: raced!.id, created: false };
}

/** The attachments' rows, written only when the status is (`inserted` of the statement). */
function attachmentsInsert(
  media: readonly (RemoteAttachmentInput & { id: string; position: number })[],
  accountId: string,
) {
  if (media.length === 0) return sql`select 1`;
  const rows = media.map((m) => {
    const meta =
      m.width && m.height
        ? JSON.stringify({
            original: {
              width: m.width,
              height: m.height,
              size: `${m.width}x${m.height}`,
              aspect: Math.round((m.width / m.height) * 1e6) / 1e6,
            },
          })
        : null;
    return sql`(${m.id}::bigint, ${m.position}::smallint, ${m.kind},
      ${m.kind === 'image' ? 'pending' : 'processed'}, ${m.remoteUrl},
      ${m.description?.slice(0, MAX_MEDIA_DESCRIPTION_LENGTH) ?? null}, ${m.blurhash},
      ${meta}::jsonb, ${m.focus.x}::real, ${m.focus.y}::real)`;
  });
  return sql`insert into media_attachments (id, account_id, status_id, position, type, processing,
      remote_url, description, blurhash, meta, focus_x, focus_y, processed_at)
    select v.id, ${accountId}, inserted.id, v.position, v.type, v.processing, v.remote_url,
      v.description, v.blurhash, v.meta, v.focus_x, v.focus_y,
      case when v.processing = 'processed' then now() end
    from inserted, (values ${sql.join(rows, sql`, `)})
      as v(id, position, type, processing, remote_url, description, blurhash, meta, focus_x, focus_y)`;
}

/**
 * The poll's row, written only when the status is. A poll already ended when it arrives is marked
 * announced: its end notifies nobody here (no one here voted in it).
 */
function pollInsert(poll: RemotePollInput | null, accountId: string) {
  if (!poll || poll.options.length < 2 || poll.options.length > MAX_REMOTE_POLL_OPTIONS) {
    return sql`select 1`;
  }
  const votes = poll.options.map((_, i) => Math.max(0, Math.trunc(poll.optionVotes[i] ?? 0)));
  const votesCount = votes.reduce((sum, count) => sum + count, 0);
  return sql`insert into polls (status_id, account_id, options, option_votes, multiple,
      votes_count, voters_count, expires_at, end_announced_at)
    select inserted.id, ${accountId}, ${sql.param(poll.options.map((o) => o.slice(0, 200)))}::text[],
      ${sql.param(votes)}::int[], ${poll.multiple}, ${votesCount},
      ${Math.max(0, Math.trunc(poll.votersCount))}, ${poll.expiresAt},
      case when ${poll.expiresAt} <= now() then now() end
    from inserted`;
}
