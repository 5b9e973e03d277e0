/**
 * Editing a status (Mastodon's `PUT /api/v1/statuses/:id`): only its author, with the same text
 * rules as posting; mentions and hashtags are recomputed from the new text. Each edit keeps a
 * revision in `status_edits` (the first edit also keeps the original), sets `edited_at`, and writes
 * StatusEdited (the worker tells those who boosted it) plus a UserMentioned for each account the
 * new text mentions for the first time, in the edit's transaction.
 */
import { DEFAULT_MAX_CHARACTERS, tokenize } from '@murmur/text';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database, type Executor } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { hydrateStatuses } from '../../queries/hydrate.js';
import type { StatusView } from '../../queries/views.js';
import { withTransaction } from '../../transaction.js';
import { requestedMediaIds } from '../media/attach-to-status.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { validatePoll, type PollInput, type ValidPoll } from '../polls/rules.js';
import {
  createTagsStatement,
  hashtagsOf,
  mentionedUsernamesOf,
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
  /**
   * The attachments the status should have after the edit, in order. Changing them is refused for
   * now (see ARCHITECTURE.md, Editing): the list must be the current one.
   */
  mediaIds?: readonly string[];
  /** The poll after the edit: other options replace it (its votes discarded), as Mastodon does. */
  poll?: PollInput;
  /**
   * The attachments' descriptions as the client shows them (apps send them back with every edit):
   * accepted when unchanged, refused otherwise, as changing them is not supported.
   */
  mediaAttributes?: readonly { id: string; description?: string | null }[];
  requestId?: string | null;
}

interface EditedStatusRow {
  text: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  accountId: string;
  mediaIds: string[];
  mediaDescriptions: (string | null)[];
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
        array(select m.id::text from media_attachments m where m.status_id = s.id
          order by m.position) as "mediaIds",
        array(select m.description from media_attachments m where m.status_id = s.id
          order by m.position) as "mediaDescriptions",
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
  usernames: string[],
  hashtagNames: string[],
): Promise<{
  mentioned: { id: string; alreadyMentioned: boolean }[];
  knownTags: { id: string; name: string }[];
}> {
  const [row] = await queryRows<{
    mentioned: { id: string; alreadyMentioned: boolean }[];
    knownTags: { id: string; name: string }[];
  }>(
    tx,
    sql`select
      coalesce((select json_agg(json_build_object('id', a.id::text, 'alreadyMentioned',
          exists (select 1 from mentions m where m.status_id = ${statusId} and m.account_id = a.id)))
        from accounts a where lower(a.username) = any(${sql.param(usernames)}::text[])), '[]')
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
    if (requestedMedia !== undefined && requestedMedia.join(',') !== current.mediaIds.join(',')) {
      throw unsupported('Attachments', 'media_ids');
    }
    const newPoll = pollReplacement(input.poll, current);
    refuseChangedDescriptions(input.mediaAttributes, current);
    const spoilerChanged = input.spoilerText !== undefined;
    const { text, spoilerText } = validateText(
      {
        text: input.text ?? current.text,
        spoilerText: input.spoilerText ?? current.spoilerText,
      },
      options.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
      current.mediaIds.length > 0,
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
      newPoll === null
    ) {
      return loadOwn(tx, input);
    }

    const tokens = tokenize(text);
    const hashtags = hashtagsOf(tokens);
    const refs = await resolveReferences(
      tx,
      input.statusId,
      mentionedUsernamesOf(tokens),
      hashtags.map((h) => h.name),
    );
    const newTags = newTagsOf(hashtags, refs.knownTags);
    const mentionedIds = refs.mentioned.map((m) => m.id);
    const newlyMentioned = refs.mentioned.filter(
      (m) => !m.alreadyMentioned && m.id !== input.accountId,
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
    await queryRows(
      tx,
      sql`
      with original as (
        -- The first edit keeps the status as first published, dated (and ordered) at its creation.
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, created_at)
        select snowflake_id_at(s.created_at), s.id, s.account_id, s.text, s.spoiler_text,
          s.sensitive, ${pollOptions}, s.created_at
        from statuses s
        where s.id = ${input.statusId}
          and not exists (select 1 from status_edits e where e.status_id = s.id)
      ), revision as (
        insert into status_edits (id, status_id, account_id, text, spoiler_text, sensitive,
          poll_options, created_at)
        select snowflake_id_at(${editedAt}), s.id, s.account_id, ${text}, ${spoilerText},
          ${sensitive}, ${newPoll === null ? pollOptions : sql`${sql.param(newPoll.options)}::text[]`},
          ${editedAt}
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

function unsupported(what: string, field: string): DomainError {
  return new DomainError(
    'InvalidField',
    `${what} cannot be changed by an edit on this server`,
    field,
  );
}

/**
 * The poll an edit puts in place, or null when it leaves the poll as it is. As in Mastodon, a poll
 * with other options (or another choice kind) replaces the old one, whose votes are discarded; a
 * status with attachments cannot have one.
 */
function pollReplacement(given: PollInput | undefined, current: EditedStatusRow): ValidPoll | null {
  if (given === undefined) return null;
  const poll = validatePoll(given);
  const same =
    current.poll !== null &&
    poll.multiple === current.poll.multiple &&
    poll.options.join('\n') === current.poll.options.join('\n');
  if (same) return null;
  if (current.mediaIds.length > 0) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: A post cannot have both attachments and a poll',
      'poll',
    );
  }
  return poll;
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

function refuseChangedDescriptions(
  given: EditStatusInput['mediaAttributes'],
  current: EditedStatusRow,
): void {
  for (const attribute of given ?? []) {
    const index = current.mediaIds.indexOf(attribute.id);
    if (index < 0) throw unsupported('Attachments', 'media_attributes');
    if (attribute.description === undefined) continue;
    const before = current.mediaDescriptions[index] ?? '';
    if ((attribute.description ?? '').trim() !== before) {
      throw unsupported('Attachment descriptions', 'media_attributes');
    }
  }
}

async function loadOwn(tx: Executor, input: EditStatusInput): Promise<StatusView> {
  const [view] = await hydrateStatuses(tx, [input.statusId], input.accountId);
  if (!view) throw notFound();
  return view;
}
