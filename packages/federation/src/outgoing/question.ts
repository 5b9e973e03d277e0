/**
 * A local status with a poll as Mastodon sends one: a `Question` carrying everything its `Note`
 * would (`noteValuesOf`), with its options as `oneOf` (one choice) or `anyOf` (several), each a
 * `Note` named by its title with its votes as `replies.totalItems`, `endTime`, `votersCount`, and
 * `closed` once it has ended. Hidden totals are sent as zero until the end, as Mastodon does. Pure.
 */
import { Collection, Note, Question } from '@fedify/vocab';
import type { OutgoingStatus } from '@murmur/db/federation';
import type { PollView } from '@murmur/db/statuses';
import { instant, noteOf, noteValuesOf } from './note.js';

/** The status's object: its `Note`, or a `Question` when it has a poll. */
export function statusObjectOf(publicOrigin: string, outgoing: OutgoingStatus): Note | Question {
  const { poll } = outgoing.status;
  if (!poll) return noteOf(publicOrigin, outgoing);
  return new Question({ ...noteValuesOf(publicOrigin, outgoing), ...pollValues(poll, new Date()) });
}

export function pollValues(poll: PollView, now: Date) {
  const ended = poll.expiresAt.getTime() <= now.getTime();
  const hidden = poll.hideTotals && !ended;
  const options = poll.options.map(
    (title, i) =>
      new Note({
        name: title,
        replies: new Collection({ totalItems: hidden ? 0 : (poll.optionVotes[i] ?? 0) }),
      }),
  );
  return {
    ...(poll.multiple ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    endTime: instant(poll.expiresAt) as never,
    closed: ended ? (instant(poll.expiresAt) as never) : null,
    voters: hidden ? 0 : poll.votersCount,
  };
}
