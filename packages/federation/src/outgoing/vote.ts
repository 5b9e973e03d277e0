/**
 * A local vote in another server's poll, as Mastodon sends one: a `Create` of a `Note` whose
 * `name` is the chosen option's title, without content, `inReplyTo` the poll's status, addressed to
 * its author alone (the vote stays private). One choice per vote: the delivery ledger keeps one
 * activity per event and inbox, so several choices (one note each) are refused when voting. Pure.
 */
import { Create, Note } from '@fedify/vocab';
import type { RemotePollVote } from '@murmur/db/federation';
import { localActorUri } from '../local-uris.js';

export function voteActivity(publicOrigin: string, vote: RemotePollVote, pollId: string): Create {
  const voter = new URL(localActorUri(publicOrigin, vote.voter.username));
  const author = new URL(vote.authorUri);
  const note = new Note({
    id: new URL(`${voter.href}#votes/${pollId}`),
    attribution: voter,
    name: vote.choices[0] ?? '',
    replyTarget: new URL(vote.questionUri),
    to: author,
  });
  return new Create({
    id: new URL(`${voter.href}#votes/${pollId}/activity`),
    actor: voter,
    to: author,
    object: note,
  });
}
