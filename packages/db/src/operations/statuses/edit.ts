/**
 * Editing a status (Mastodon's `PUT /api/v1/statuses/:id`): only its author, with the same text
 * rules as posting; mentions and hashtags are recomputed from the new text. Each edit keeps a
 * revision in `status_edits` (the first edit also keeps the original), sets `edited_at`, and writes
 * StatusEdited (the worker tells those who boosted it) plus a UserMentioned for each account the
 * new text mentions for the first time, in the edit's transaction.
 *
 * Attachments may change too, as in Mastodon: `mediaIds` adds (the editor's own, unattached,
 * processed uploads), removes (detached, left to the unattached-media cleanup) and reorders them, up
 * to 4; `mediaAttributes` changes the description and focus of those the status keeps. Each
 * revision stores its attachments as they were, so the history shows old media as well.
 */
import { DEFAULT_MAX_CHARACTERS, tokenize } from '@murmur/text';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { hydrateStatuses } from '../../queries/hydrate.js';
import type { StatusView } from '../../queries/views.js';
import { withTransaction } from '../../transaction.js';
import { STATUS_MEDIA_JSON } from '../../queries/media.js';
import type { MediaView } from '../../queries/views.js';
import { lockAttachableMedia, requestedMediaIds } from '../media/attach-to-status.js';
import { validDescription, validFocus, type Focus } from '../media/rules.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { validatePoll, type PollInput, type ValidPoll } from '../polls/rules.js';
import {
  createTagsStatement,
  hashtagsOf,
  mentionHandlesOf,
  mentionedAccounts,
  type MentionHandles,
  newTagsOf,
  validateText,
} from './create.js';

export interface EditStatusInput {
  /** Who asks: only the author may edit. */
  accountId: string;
  statusId: string;
  /** Each field left undefined keeps its current value. */
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** The attachments the status should have after the edit, in order (at most 4). */
  mediaIds?: readonly string[];
  /** The poll after the edit: other options replace it (its votes discarded), as Mastodon does. */
  poll?: PollInput;
  /**
   * New descriptions and focal points of attachments the status has after the edit (apps send them
   * back with every edit; unchanged ones change nothing). Ids of other attachments are ignored, as
   * Mastodon does.
   */
  mediaAttributes?: readonly MediaAttributesInput[];
  requestId?: string | null;
}

export interface MediaAttributesInput {
  id: string;
  description?: string | null;
  focus?: Focus | null;
}

interface EditedStatusRow {
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  accountId: string;
  media: MediaView[];
  poll: { options: string[]; multiple: boolean } | null;
  now: string;
}

function notFound(): DomainError {
  return new DomainError('StatusNotFound', 'Record not found');
}

/** The status, locked for the edit, with its attachment ids and the transaction's clock. */
async function lockStatus(tx: Executor, statusId: string): Promise<EditedStatusRow | null> {
  const [row] = await queryRows<EditedStatusRow>(
    tx,
    sql`select s.text, s.spoiler_text as "spoilerText", s.sensitive, s.language,
        s.account_id::text as "accountId",
        ${STATUS_MEDIA_JSON} as "media",
        (select json_build_object('options', p.options, 'multiple', p.multiple)
          from polls p where p.status_id = s.id) as "poll",
        clock_timestamp() as "now"
      from statuses s
      where s.id = ${statusId} and s.deleted_at is null and s.reblog_of_id is null
      for update of s`,
  );
  return row ?? null;
}

/** What the new text refers to: the accounts it mentions (and which were mentioned before), its tags. */
async function resolveReferences(
  tx: Executor,
  statusId: string,
  mentions: MentionHandles,
  hashtagNames: string[],
): Promise<{
  mentioned: { id: string; alreadyMentioned: boolean; local: boolean }[];
  knownTags: { id: string; name: string }[];
}> {
  const [row] = await queryRows<{
    mentioned: { id: string; alreadyMentioned: boolean; local: boolean }[];
    knownTags: { id: string; name: string }[];
  }>(
    tx,
    sql`select
      coalesce((select json_agg(json_build_object('id', a.id::text, 'alreadyMentioned',
          exists (select 1 from mentions m where m.status_id = ${statusId} and m.account_id = a.id),
          'local', a.domain is null))
        from ${mentionedAccounts(mentions)} a), '[]')
        as "mentioned",
      coalesce((select json_agg(json_build_object('id', t.id::text, 'name', t.name))
        from tags t where t.name = any(${sql.param(hashtagNames)}::text[])), '[]') as "knownTags"`,
  );
  return row!;
}

/**
 * Edits a status and returns it as its author now sees it. An edit that changes nothing (same
 * text, warning, sensitivity and language) is not a revision: no history entry, no event.
 */
export async function editStatus(
  database: Database,
  input: EditStatusInput,
  options: { maxCharacters?: number } = {},
): Promise<StatusView> {
  if (!isSnowflakeId(input.statusId)) throw notFound();
  const requestedMedia =
    input.mediaIds === undefined ? undefined : requestedMediaIds(input.mediaIds);
  return withTransaction(database, async (tx) => {
    const current = await lockStatus(tx, input.statusId);
    // Someone else's status is "not found", as Mastodon answers.
    if (current === null || current.accountId !== input.accountId) throw notFound();
    const nextMedia = await nextAttachments(tx, input, current, requestedMedia);
    const mediaChanged = !sameAttachments(current.media, nextMedia);
    const newPoll = pollReplacement(input.poll, current, nextMedia.length > 0);
    const spoilerChanged = input.spoilerText !== undefined;
    const { text, spoilerText } = validateText(
      {
        text: input.text ?? current.text,
        spoilerText: input.spoilerText ?? current.spoilerText,
      },
      options.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
      nextMedia.length > 0,
    );
    // As Mastodon: giving either field recomputes it; a content warning makes a post sensitive.
    const sensitive =
      input.sensitive !== undefined || spoilerChanged
        ? (input.sensitive ?? false) || spoilerText.length > 0
        : current.sensitive;
    const language = input.language === undefined ? current.language : input.language;
    if (
      text === current.text &&
      spoilerText === current.spoilerText &&
      sensitive === current.sensitive &&
      language === current.language &&
      newPoll === null &&
      !mediaChanged
    ) {
      return loadOwn(tx, input);
    }

    const tokens = tokenize(text);
    const hashtags = hashtagsOf(tokens);
    const refs = await resolveReferences(
      tx,
      input.statusId,
      mentionHandlesOf(tokens),
      hashtags.map((h) => h.name),
    );
    const newTags = newTagsOf(hashtags, refs.knownTags);
    const mentionedIds = refs.mentioned.map((m) => m.id);
    // Remote people hear of it from their own server (the Update is delivered there).
    const newlyMentioned = refs.mentioned.filter(
      (m) => !m.alreadyMentioned && m.id !== input.accountId && m.local,
    );
    const editedAt = new Date(current.now);
    const requestId = input.requestId ?? null;
    const events = outboxInsert([
      newEvent(
        'StatusEdited',
        {
          statusId: input.statusId,
          accountId: input.accountId,
          editedAt: editedAt.toISOString(),
        },
        requestId,
      ),
      ...newlyMentioned.map((m) =>
        newEvent(
          'UserMentioned',
          { statusId: input.statusId, accountId: input.accountId, mentionedAccountId: m.id },
          requestId,
        ),
      ),
    ]);
    const pollOptions = sql`(select p.options from polls p where p.status_id = s.id)`;
    if (newPoll !== null) {
      // Votes wait for the new poll rather than land in the old one meanwhile.
      await tx.execute(sql`select 1 from polls where status_id = ${input.statusId} for update`);
    }
    if (mediaChanged) await placeAttachments(tx, input.statusId, nextMedia);
    await queryRows(
      tx,
      sql`
      with original as (
        -- The first edit keeps the status as first published, dated (and ordered) at its creation.
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, media, created_at)
        select snowflake_id_at(s.created_at), s.id, s.account_id, s.text, s.spoiler_text,
          s.sensitive, ${pollOptions}, ${JSON.stringify(current.media)}::jsonb, s.created_at
        from statuses s
        where s.id = ${input.statusId}
          and not exists (select 1 from status_edits e where e.status_id = s.id)
      ), revision as (
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, media, created_at)
        select snowflake_id_at(${editedAt}), s.id, s.account_id, ${text}, ${spoilerText},
          ${sensitive}, ${newPoll === null ? pollOptions : sql`${sql.param(newPoll.options)}::text[]`},
          ${JSON.stringify(nextMedia)}::jsonb, ${editedAt}
        from statuses s where s.id = ${input.statusId}
      ), ${pollReplacementStatement(input, newPoll, editedAt)}
      changed as (
        update statuses set text = ${text}, spoiler_text = ${spoilerText}, sensitive = ${sensitive},
          language = ${language}, edited_at = ${editedAt}
        where id = ${input.statusId}
      ), unmentioned as (
        delete from mentions where status_id = ${input.statusId}
          and account_id <> all(${sql.param(mentionedIds)}::bigint[])
      ), mentioned as (
        insert into mentions (status_id, account_id)
        select ${input.statusId}, unnest(${sql.param(mentionedIds)}::bigint[])
        on conflict do nothing
      ), created_tags as (${createTagsStatement(newTags)}
      ), wanted_tags as (
        select id from created_tags
        union all select unnest(${sql.param(refs.knownTags.map((t) => t.id))}::bigint[])
      ), untagged as (
        delete from status_tags where status_id = ${input.statusId}
          and tag_id not in (select id from wanted_tags)
      ), tagged as (
        insert into status_tags (tag_id, status_id)
        select id, ${input.statusId} from wanted_tags
        on conflict do nothing
      ), events as (${events})
      select 1`,
    );
    return loadOwn(tx, input);
  });
}

/**
 * The poll an edit puts in place, or null when it leaves the poll as it is. As in Mastodon, a poll
 * with other options (or another choice kind) replaces the old one, whose votes are discarded; a
 * status with attachments cannot have one.
 */
function pollReplacement(
  given: PollInput | undefined,
  current: EditedStatusRow,
  withMedia: boolean,
): ValidPoll | null {
  const poll = given === undefined ? null : validatePoll(given);
  const same =
    poll !== null &&
    current.poll !== null &&
    poll.multiple === current.poll.multiple &&
    poll.options.join('\n') === current.poll.options.join('\n');
  if (withMedia && (poll !== null || current.poll !== null)) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: A post cannot have both attachments and a poll',
      poll === null ? 'media_ids' : 'poll',
    );
  }
  return same ? null : poll;
}

/** The CTEs replacing the status's poll (none when it stays), each followed by a comma. */
function pollReplacementStatement(
  input: EditStatusInput,
  poll: ValidPoll | null,
  editedAt: Date,
): SQL {
  if (poll === null) return sql``;
  const expiresAt = new Date(editedAt.getTime() + poll.expiresInSeconds * 1000);
  return sql`discarded_votes as (
        delete from poll_votes v using polls p
        where v.poll_id = p.id and p.status_id = ${input.statusId}
      ), replaced_poll as (
        insert into polls (status_id, account_id, options, option_votes, multiple, hide_totals,
          expires_at)
        values (${input.statusId}, ${input.accountId}, ${sql.param(poll.options)}::text[],
          ${sql.param(poll.options.map(() => 0))}::int[], ${poll.multiple}, ${poll.hideTotals},
          ${expiresAt})
        on conflict (status_id) do update set options = excluded.options,
          option_votes = excluded.option_votes, multiple = excluded.multiple,
          hide_totals = excluded.hide_totals, expires_at = excluded.expires_at, votes_count = 0,
          voters_count = 0, end_announced_at = null
      ),`;
}

/**
 * The attachments the status has after the edit, in order, with the descriptions and focal points
 * the edit gives them. Those it did not have yet are locked and checked as when posting (the
 * editor's own, unattached, processed).
 */
async function nextAttachments(
  tx: Executor,
  input: EditStatusInput,
  current: EditedStatusRow,
  requested: readonly string[] | undefined,
): Promise<MediaView[]> {
  const kept = new Map(current.media.map((m) => [m.id, m]));
  const ids = requested ?? current.media.map((m) => m.id);
  const added = new Map(
    (
      await lockAttachableMedia(
        tx,
        input.accountId,
        ids.filter((id) => !kept.has(id)),
      )
    ).map((m) => [m.id, { ...m, statusId: input.statusId }]),
  );
  const attributes = new Map((input.mediaAttributes ?? []).map((a) => [a.id, a]));
  return ids.map((id) => withAttributes((kept.get(id) ?? added.get(id))!, attributes.get(id)));
}

function withAttributes(media: MediaView, given: MediaAttributesInput | undefined): MediaView {
  if (given === undefined) return media;
  return {
    ...media,
    ...(given.description === undefined
      ? {}
      : { description: validDescription(given.description) }),
    ...(given.focus === undefined ? {} : { focus: validFocus(given.focus) }),
  };
}

/** Whether the status keeps the same attachments, in the same order, described the same way. */
function sameAttachments(before: readonly MediaView[], after: readonly MediaView[]): boolean {
  return (
    before.length === after.length &&
    before.every((m, i) => {
      const next = after[i]!;
      return (
        m.id === next.id &&
        (m.description ?? null) === (next.description ?? null) &&
        m.focus.x === next.focus.x &&
        m.focus.y === next.focus.y
      );
    })
  );
}

/**
 * Gives the status exactly `media`, in order: the ones it no longer has are detached (the cleanup
 * of unattached uploads removes them later), the others placed with their descriptions and focus.
 */
async function placeAttachments(
  tx: Executor,
  statusId: string,
  media: readonly MediaView[],
): Promise<void> {
  const ids = media.map((m) => m.id);
  await tx.execute(sql`
    with detached as (
      update media_attachments set status_id = null, position = null
      where status_id = ${statusId} and id <> all(${sql.param(ids)}::bigint[])
    )
    update media_attachments m set status_id = ${statusId}, position = wanted.ord - 1,
      scheduled_status_id = null, description = wanted.description,
      focus_x = wanted.focus_x, focus_y = wanted.focus_y
    from unnest(${sql.param(ids)}::bigint[],
      ${sql.param(media.map((m) => m.description ?? null))}::text[],
      ${sql.param(media.map((m) => m.focus.x))}::real[],
      ${sql.param(media.map((m) => m.focus.y))}::real[])
      with ordinality as wanted(id, description, focus_x, focus_y, ord)
    where m.id = wanted.id`);
}

async function loadOwn(tx: Executor, input: EditStatusInput): Promise<StatusView> {
  const [view] = await hydrateStatuses(tx, [input.statusId], input.accountId);
  if (!view) throw notFound();
  return view;
}
