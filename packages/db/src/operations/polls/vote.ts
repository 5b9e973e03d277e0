/**
 * Voting in a poll, as Mastodon allows: once per account, only valid choices, one choice unless the
 * poll allows several, not after it ended, not in one's own poll, only in a poll one can see.
 * The vote and the counts commit together; PollVoted is written with them (with the choices it
 * counted: a remote voter's further choice arrives as a vote of its own, `choicesArriveApart`).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../client.js';
import { DomainError } from '../../errors.js';
import { isSnowflakeId } from '../../ids.js';
import { findVisiblePoll } from '../../queries/polls.js';
import type { PollView } from '../../queries/views.js';
import { withTransaction } from '../../transaction.js';
import { newEvent, outboxInsert } from '../outbox.js';
import { visibleTo } from '../visibility.js';

export interface VoteInput {
  accountId: string;
  pollId: string;
  /** Indexes into the poll's options. */
  choices: readonly number[];
  /**
   * A remote voter's choices arrive one per activity (Mastodon sends a note per choice): in a poll
   * allowing several, a choice after the first adds to the voter's vote instead of being refused,
   * and one already counted is not counted again (a redelivered note).
   */
  choicesArriveApart?: boolean;
  requestId?: string | null;
}

function notFound(): DomainError {
  return new DomainError('StatusNotFound', 'Record not found');
}

function refused(message: string): DomainError {
  return new DomainError('InvalidField', `Validation failed: ${message}`, 'choices');
}

interface LockedPoll {
  statusId: string;
  authorId: string;
  optionCount: number;
  multiple: boolean;
  ended: boolean;
  /** The voter's choices counted already (none: not voted yet). */
  earlierChoices: number[];
}

/** Records the vote and returns the poll as the voter now sees it. */
export async function voteInPoll(database: Database, input: VoteInput): Promise<PollView> {
  if (!isSnowflakeId(input.pollId)) throw notFound();
  const choices = [...input.choices];
  return withTransaction(database, async (tx) => {
    // The poll's row lock orders concurrent votes, so the counts add up.
    const [poll] = await queryRows<LockedPoll>(
      tx,
      sql`select p.status_id::text as "statusId", p.account_id::text as "authorId",
          cardinality(p.options) as "optionCount", p.multiple, p.expires_at <= now() as "ended",
          array(select v.choice::int from poll_votes v where v.poll_id = p.id
            and v.account_id = ${input.accountId}) as "earlierChoices"
        from polls p join statuses on statuses.id = p.status_id
        where p.id = ${input.pollId} and statuses.deleted_at is null
          and ${visibleTo(input.accountId)}
        for update of p`,
    );
    if (!poll) throw notFound();
    if (poll.authorId === input.accountId) throw refused('You cannot vote in your own poll');
    if (poll.ended) throw refused('The poll has already ended');
    const voted = poll.earlierChoices.length > 0;
    const addsToVote = voted && poll.multiple && input.choicesArriveApart === true;
    if (voted && !addsToVote) throw refused('You have already voted in this poll');
    if (addsToVote && choices.every((c) => poll.earlierChoices.includes(c))) {
      const view = await findVisiblePoll(tx, input.pollId, input.accountId);
      if (!view) throw notFound();
      return view;
    }
    if (choices.length === 0) throw refused('Choose at least one option');
    if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.optionCount)) {
      throw refused('That option is not in the poll');
    }
    if (new Set(choices).size !== choices.length) throw refused('Each option can be chosen once');
    if (!poll.multiple && choices.length > 1) throw refused('This poll allows only one choice');
    const counted = addsToVote ? choices.filter((c) => !poll.earlierChoices.includes(c)) : choices;

    const events = outboxInsert([
      newEvent(
        'PollVoted',
        {
          pollId: input.pollId,
          statusId: poll.statusId,
          statusAccountId: poll.authorId,
          accountId: input.accountId,
          choices: counted,
        },
        input.requestId,
      ),
    ]);
    await queryRows(
      tx,
      sql`with voted as (
          insert into poll_votes (poll_id, account_id, choice)
          select ${input.pollId}, ${input.accountId}, unnest(${sql.param(counted)}::smallint[])
        ), counted as (
          update polls set
            option_votes = array(
              select count + (i - 1 = any(${sql.param(counted)}::int[]))::int
              from unnest(option_votes) with ordinality as o(count, i) order by i),
            votes_count = votes_count + ${counted.length},
            voters_count = voters_count + ${addsToVote ? 0 : 1}
          where id = ${input.pollId}
        ), events as (${events})
        select 1`,
    );
    const view = await findVisiblePoll(tx, input.pollId, input.accountId);
    if (!view) throw notFound();
    return view;
  });
}
