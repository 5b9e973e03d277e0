/**
 * A local vote in another server's poll, as Mastodon sends one: for each chosen option a `Create`
 * of a `Note` whose `name` is the option's title, without content, `inReplyTo` the poll's status,
 * addressed to its author alone (the vote stays private). A vote with several choices (an `anyOf`
 * poll) is several activities; the delivery ledger keeps each once per inbox. Pure.
 */
import { Create, Note } from '@fedify/vocab';
import type { RemotePollVote } from '@murmur/db/federation';
import { localActorUri } from '../local-uris.js';

export function voteActivities(
  publicOrigin: string,
  vote: RemotePollVote,
  pollId: string,
): Create[] {
  const voter = new URL(localActorUri(publicOrigin, vote.voter.username));
  const author = new URL(vote.authorUri);
  // A voter votes once per poll: the poll and the choice's position name each note for good.
  return vote.choices.map((title, position) => {
    const id = `${voter.href}#votes/${pollId}/${position}`;
    return new Create({
      id: new URL(`${id}/activity`),
      actor: voter,
      to: author,
      object: new Note({
        id: new URL(id),
        attribution: voter,
        name: title,
        replyTarget: new URL(vote.questionUri),
        to: author,
      }),
    });
  });
}
