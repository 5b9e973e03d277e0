import type { PollView } from '@murmur/db/statuses';
import type { Static } from 'typebox';
import type { Poll } from '../schemas/entities.js';
import { timestamp } from './context.js';

/**
 * A poll as Mastodon's Poll entity, as `viewerId` sees it at `now` (whether it ended depends on
 * the moment, so a poll is never part of the cached fixed fields of a status). With `hide_totals`,
 * the counts per option stay hidden until the poll ends, except from its author. The author counts
 * as having voted, as in Mastodon, so apps show them the results rather than the choices.
 */
export function serializePoll(
  view: PollView,
  viewerId: string | null,
  now: Date = new Date(),
): Static<typeof Poll> {
  const expired = now.getTime() >= view.expiresAt.getTime();
  const showTotals = !view.hideTotals || expired || viewerId === view.authorId;
  const poll: Static<typeof Poll> = {
    id: view.id,
    expires_at: timestamp(view.expiresAt),
    expired,
    multiple: view.multiple,
    votes_count: view.votesCount,
    voters_count: view.votersCount,
    options: view.options.map((title, i) => ({
      title,
      votes_count: showTotals ? (view.optionVotes[i] ?? 0) : null,
    })),
    emojis: [],
  };
  if (viewerId !== null) {
    const ownVotes = view.ownVotes ?? [];
    poll.voted = viewerId === view.authorId || ownVotes.length > 0;
    poll.own_votes = ownVotes;
  }
  return poll;
}
