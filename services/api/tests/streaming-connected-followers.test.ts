/**
 * The remembered answer to "which viewers connected here follow this author" must never miss a
 * follower: a post would then not reach a home stream that should show it. These tests drive the
 * memory through the orders of events that could make it miss one (a follow, a viewer opening
 * their home stream, an answer read while either happens, a lost event feed) against a follow
 * graph held in the test.
 */
import { describe, expect, it } from 'vitest';
import { ConnectedFollowers } from '../src/streaming/connected-followers.js';

/** A follow graph and a set of connected viewers, with reads that wait until released. */
function world() {
  const follows = new Set<string>();
  const connected = new Set<string>();
  let reads = 0;
  let matches = 0;
  const held: (() => void)[] = [];
  let holding = false;
  const hold = <T>(answer: () => T): Promise<T> =>
    holding
      ? new Promise((resolve) => held.push(() => resolve(answer())))
      : Promise.resolve(answer());
  const followers = new ConnectedFollowers({
    maxMembers: 5,
    isConnected: (viewer) => connected.has(viewer),
    read: (author) => {
      reads += 1;
      // The answer as of the read's start, as a statement's snapshot.
      const now = new Set([...connected].filter((viewer) => follows.has(`${viewer}>${author}`)));
      return hold(() => now);
    },
    followedBy: (viewer, authors) => {
      matches += 1;
      const now = new Set(authors.filter((author) => follows.has(`${viewer}>${author}`)));
      return hold(() => now);
    },
  });
  return {
    followers,
    follow(viewer: string, author: string) {
      follows.add(`${viewer}>${author}`);
      followers.followed(viewer, author);
    },
    connect(viewer: string) {
      connected.add(viewer);
      followers.viewerJoined(viewer);
    },
    holdReads() {
      holding = true;
    },
    release() {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
    get reads() {
      return reads;
    },
    get matches() {
      return matches;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('remembered connected followers', () => {
  it("answers an author's next post from memory, and reads again for another author", async () => {
    const w = world();
    w.connect('v1');
    w.follow('v1', 'a');
    expect([...(await w.followers.of('a'))]).toEqual(['v1']);
    expect([...(await w.followers.of('a'))]).toEqual(['v1']);
    expect(w.reads).toBe(1);
    expect([...(await w.followers.of('b'))]).toEqual([]);
    expect(w.reads).toBe(2);
  });

  it('adds a connected viewer who follows a remembered author, and forgets one who unfollows', async () => {
    const w = world();
    w.connect('v1');
    await w.followers.of('a');
    w.follow('v1', 'a');
    expect([...(await w.followers.of('a'))]).toEqual(['v1']);
    w.followers.unfollowed('v1', 'a');
    expect([...(await w.followers.of('a'))]).toEqual([]);
    expect(w.reads).toBe(1);
  });

  it('matches a viewer who opens their home stream against the remembered authors', async () => {
    const w = world();
    w.connect('v1');
    w.follow('v2', 'a'); // v2 follows a while not connected here
    expect([...(await w.followers.of('a'))]).toEqual([]);
    w.holdReads();
    w.connect('v2');
    // While v2's follows are being matched, memory is not trusted: the database is asked.
    const during = w.followers.of('a');
    w.release();
    expect([...(await during)]).toEqual(['v2']);
    await flush();
    expect(w.matches).toBe(1);
    const reads = w.reads;
    expect([...(await w.followers.of('a'))]).toEqual(['v2']);
    expect(w.reads).toBe(reads);
  });

  it('does not store an answer read while a follow or a new viewer could have changed it', async () => {
    const w = world();
    w.connect('v1');
    w.holdReads();
    const stale = w.followers.of('a'); // read before the follow commits
    w.follow('v1', 'a'); // no remembered entry yet: nothing to add to
    w.release();
    expect([...(await stale)]).toEqual([]);
    // Had the stale answer been stored, v1 would be missing from now on.
    expect([...(await w.followers.of('a'))]).toEqual(['v1']);
  });

  it('forgets everything when the event feed reconnects', async () => {
    const w = world();
    w.connect('v1');
    await w.followers.of('a');
    w.followers.forget();
    await w.followers.of('a');
    expect(w.reads).toBe(2);
  });

  it('holds at most its bound of viewer ids, forgetting the least recently used author first', async () => {
    const w = world();
    for (const viewer of ['v1', 'v2', 'v3']) {
      w.connect(viewer);
      w.follow(viewer, 'a');
      w.follow(viewer, 'b');
    }
    await w.followers.of('a'); // 3 members
    await w.followers.of('b'); // 6 > 5: a is forgotten
    expect(w.followers.size).toEqual({ authors: 1, members: 3 });
    await w.followers.of('b');
    expect(w.reads).toBe(2);
    await w.followers.of('a');
    expect(w.reads).toBe(3);
  });
});
