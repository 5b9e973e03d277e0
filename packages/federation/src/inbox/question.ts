/**
 * A remote `Question` (a poll, as Mastodon sends one) as Murmur keeps it: `oneOf` (one choice) or
 * `anyOf` (several), each option's `name` and `replies.totalItems` (its votes), `votersCount`, and
 * when it ends (`endTime`, or `closed` when it already has). A question without an end, or with
 * fewer than two or more than ten options, is kept as a status without a poll.
 */
import { Question, type Object as ApObject } from '@fedify/vocab';
import { MAX_REMOTE_POLL_OPTIONS, type RemotePollInput } from '@murmur/db/federation';
import type { InboxContext } from './context.js';

export async function pollOf(
  ctx: InboxContext,
  question: Question,
): Promise<RemotePollInput | null> {
  const options = { ...ctx.loaders(), suppressError: true };
  const exclusive: ApObject[] = [];
  const inclusive: ApObject[] = [];
  for await (const option of question.getExclusiveOptions(options)) {
    if (exclusive.push(option) > MAX_REMOTE_POLL_OPTIONS) return null;
  }
  for await (const option of question.getInclusiveOptions(options)) {
    if (inclusive.push(option) > MAX_REMOTE_POLL_OPTIONS) return null;
  }
  const multiple = exclusive.length === 0;
  const chosen = multiple ? inclusive : exclusive;
  if (chosen.length < 2) return null;
  const titles: string[] = [];
  const optionVotes: number[] = [];
  for (const option of chosen) {
    const title = option.name?.toString().trim();
    if (!title) return null;
    titles.push(title);
    // Embedded in the question: never fetched (a hostile server could name anything here).
    const replies = await option.getReplies({ ...options, documentLoader: noFetch });
    optionVotes.push(count(replies?.totalItems ?? null));
  }
  const closed = question.closed;
  const end = question.endTime ?? (closed && typeof closed === 'object' ? closed : null);
  const expiresAt = end ? new Date(end.epochMilliseconds) : closed === true ? new Date() : null;
  if (!expiresAt || Number.isNaN(expiresAt.getTime())) return null;
  return {
    options: titles,
    optionVotes,
    multiple,
    votersCount: count(question.voters) || (multiple ? 0 : optionVotes.reduce((a, b) => a + b, 0)),
    expiresAt,
  };
}

function count(value: number | null): number {
  return value !== null && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** A loader that fetches nothing: only what is embedded is read. */
const noFetch = (url: string): Promise<never> => Promise.reject(new Error(`not fetched: ${url}`));

export function isQuestion(object: unknown): object is Question {
  return object instanceof Question;
}
