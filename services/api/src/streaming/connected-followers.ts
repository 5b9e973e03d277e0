/**
 * Which viewers with a home stream on this process follow an author, remembered per author.
 *
 * Every post needs that answer before anything else can be asked (the audience statement takes the
 * candidates' tokens), so without a memory each event waits for two database round trips in a
 * row. Under load each round trip also waits for CPU on both sides, and the first one was a third
 * of an event's latency (bench README, session 14). Remembered, an author's next post goes straight
 * to the audience statement.
 *
 * Kept true by the events that change it, so that a remembered answer is never missing a follower:
 * - a follow (AccountFollowed, applied as it arrives, before later events fan out) adds its
 *   follower when that viewer is connected here;
 * - a viewer whose first home stream opens here is matched against the remembered authors (one
 *   indexed statement); until that answer is in, nothing remembered is used or stored;
 * - an answer read from the database is stored only when nothing above happened while it was read;
 * - losing the event feed (NATS reconnect) forgets everything: follows may have been missed.
 * A remembered answer may hold more than the truth (an unfollow, a block, a viewer gone): that is
 * harmless, since the audience statement asks the database whether each candidate follows the
 * author, and a connection-less viewer reaches no socket. Unfollows are removed anyway.
 *
 * Bounded: at most `maxMembers` viewer ids over all authors, the least recently used author
 * forgotten first. An author with more connected followers than that is asked every time.
 */
export interface ConnectedFollowersOptions {
  /** The database's answer for one author (batched with other events by the caller). */
  read(authorId: string): Promise<ReadonlySet<string>>;
  /** Which of `authorIds` a viewer follows (one statement). */
  followedBy(viewerId: string, authorIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Whether a viewer has a home stream open here. */
  isConnected(viewerId: string): boolean;
  maxMembers: number;
  /** A failed match of a new viewer: everything is forgotten (reported for the log). */
  onMatchFailed?(err: unknown): void;
}

export class ConnectedFollowers {
  /** Author → connected followers, least recently used first. */
  readonly #remembered = new Map<string, Set<string>>();
  #members = 0;
  /** Moves on every change that may make an answer being read incomplete. */
  #generation = 0;
  /** Viewers whose follows are being matched against the remembered authors. */
  #matching = 0;

  constructor(private readonly options: ConnectedFollowersOptions) {}

  /** The viewers connected here who follow `authorId` (or more: see above). Read-only. */
  async of(authorId: string): Promise<ReadonlySet<string>> {
    if (this.#matching === 0) {
      const known = this.#remembered.get(authorId);
      if (known !== undefined) {
        this.#remembered.delete(authorId);
        this.#remembered.set(authorId, known);
        return known;
      }
    }
    const generation = this.#generation;
    const found = await this.options.read(authorId);
    if (generation === this.#generation && this.#matching === 0) this.#remember(authorId, found);
    return found;
  }

  /** AccountFollowed: `followerId` now follows `authorId`. */
  followed(followerId: string, authorId: string): void {
    this.#generation += 1;
    const known = this.#remembered.get(authorId);
    if (known === undefined || !this.options.isConnected(followerId) || known.has(followerId)) {
      return;
    }
    known.add(followerId);
    this.#members += 1;
    this.#evictBeyondBound();
  }

  /** AccountUnfollowed, FollowerRemoved: `followerId` no longer follows `authorId`. */
  unfollowed(followerId: string, authorId: string): void {
    if (this.#remembered.get(authorId)?.delete(followerId)) this.#members -= 1;
  }

  /** A viewer's first home stream opened here: adds it to the remembered authors it follows. */
  viewerJoined(viewerId: string): void {
    this.#generation += 1;
    if (this.#remembered.size === 0) return;
    this.#matching += 1;
    this.options
      .followedBy(viewerId, [...this.#remembered.keys()])
      .then(
        (followed) => {
          for (const authorId of followed) {
            const known = this.#remembered.get(authorId);
            if (known === undefined || known.has(viewerId)) continue;
            known.add(viewerId);
            this.#members += 1;
          }
          this.#evictBeyondBound();
        },
        (err: unknown) => {
          this.forget();
          this.options.onMatchFailed?.(err);
        },
      )
      .finally(() => {
        this.#matching -= 1;
      });
  }

  /** Forgets every answer (the event feed reconnected: follows may have been missed). */
  forget(): void {
    this.#generation += 1;
    this.#remembered.clear();
    this.#members = 0;
  }

  /** Whether an answer for `authorId` is remembered (tests). */
  remembers(authorId: string): boolean {
    return this.#remembered.has(authorId);
  }

  /** Authors remembered and viewer ids held, for tests and metrics. */
  get size(): { authors: number; members: number } {
    return { authors: this.#remembered.size, members: this.#members };
  }

  #remember(authorId: string, followers: ReadonlySet<string>): void {
    if (followers.size > this.options.maxMembers) return;
    const previous = this.#remembered.get(authorId);
    if (previous !== undefined) this.#members -= previous.size;
    this.#remembered.delete(authorId);
    // A copy: the answer is shared with the other events of its batch, and this one changes.
    this.#remembered.set(authorId, new Set(followers));
    this.#members += followers.size;
    this.#evictBeyondBound();
  }

  #evictBeyondBound(): void {
    for (const [authorId, followers] of this.#remembered) {
      if (this.#members <= this.options.maxMembers) return;
      this.#remembered.delete(authorId);
      this.#members -= followers.size;
    }
  }
}
