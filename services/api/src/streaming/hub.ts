/**
 * The streaming connections this process holds, indexed for fan-out: by stream key (`public`,
 * `hashtag:cats`…) and by viewer (notifications go to one person). Also the limits: connections per
 * token and per client address are counted here, and a connection whose client does not read is
 * dropped when its unsent output passes the bound (checked by each transport after every write).
 */
import type { ConnectedAccounts } from '@murmur/db/streaming';
import type { Subscription } from './streams.js';

/** Who holds a connection, from the access token it was opened with (none for anonymous readers). */
export interface StreamIdentity {
  tokenId: string | null;
  /** Null for anonymous readers and app tokens. */
  viewerId: string | null;
  scopes: readonly string[];
  ip: string;
}

/** Why a connection ends, as a WebSocket close code and a reason the client may show. */
export interface CloseReason {
  code: number;
  reason: string;
}

export const CLOSE = {
  /** RFC 6455 1001: the server is going away (shutdown, drain). */
  goingAway: { code: 1001, reason: 'The server is shutting down' },
  /** 1008: policy violation, used when the token that opened the socket is revoked. */
  revoked: { code: 1008, reason: 'The access token was revoked' },
  /** 1013 "try again later": the client did not read what was sent and its buffer filled up. */
  slowClient: { code: 1013, reason: 'The client did not read its stream fast enough' },
} as const satisfies Record<string, CloseReason>;

/** One WebSocket or event stream, whatever the transport. */
export interface StreamConnection {
  readonly identity: StreamIdentity;
  /** Index key → the subscription (a WebSocket multiplexes; an event stream has exactly one). */
  readonly subscriptions: Map<string, Subscription>;
  /** Sends one event on behalf of one of its subscriptions; drops the client if it does not read. */
  send(subscription: Subscription, event: string, payload: string): void;
  close(why: CloseReason): void;
}

export class StreamingHub {
  readonly #byKey = new Map<string, Set<StreamConnection>>();
  readonly #byViewer = new Map<string, Set<StreamConnection>>();
  readonly #all = new Set<StreamConnection>();
  readonly #perToken = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  /** Per stream key, the viewers with connections listening to it (home fan-out asks by viewer). */
  readonly #viewersByKey = new Map<string, ViewersOnStream>();

  constructor(private readonly limits: { perToken: number; perIp: number }) {}

  /** Null when the identity may open one more connection, else the reason it may not. */
  refusal(identity: StreamIdentity): string | null {
    if ((this.#perIp.get(identity.ip) ?? 0) >= this.limits.perIp) {
      return `Too many streaming connections from this address (at most ${this.limits.perIp})`;
    }
    if (
      identity.tokenId !== null &&
      (this.#perToken.get(identity.tokenId) ?? 0) >= this.limits.perToken
    ) {
      return `Too many streaming connections for this access token (at most ${this.limits.perToken})`;
    }
    return null;
  }

  add(connection: StreamConnection): void {
    if (this.#all.has(connection)) return;
    this.#all.add(connection);
    const { tokenId, viewerId, ip } = connection.identity;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    if (tokenId !== null) this.#perToken.set(tokenId, (this.#perToken.get(tokenId) ?? 0) + 1);
    if (viewerId !== null) addTo(this.#byViewer, viewerId, connection);
  }

  remove(connection: StreamConnection): void {
    if (!this.#all.delete(connection)) return;
    const { tokenId, viewerId, ip } = connection.identity;
    decrement(this.#perIp, ip);
    if (tokenId !== null) decrement(this.#perToken, tokenId);
    if (viewerId !== null) removeFrom(this.#byViewer, viewerId, connection);
    for (const key of [...connection.subscriptions.keys()]) this.unsubscribe(connection, key);
  }

  subscribe(connection: StreamConnection, subscription: Subscription): void {
    if (connection.subscriptions.has(subscription.key)) return;
    connection.subscriptions.set(subscription.key, subscription);
    addTo(this.#byKey, subscription.key, connection);
    const { viewerId } = connection.identity;
    if (viewerId !== null) {
      let viewers = this.#viewersByKey.get(subscription.key);
      if (!viewers) this.#viewersByKey.set(subscription.key, (viewers = new ViewersOnStream()));
      viewers.add(viewerId);
    }
  }

  unsubscribe(connection: StreamConnection, key: string): void {
    if (!connection.subscriptions.delete(key)) return;
    removeFrom(this.#byKey, key, connection);
    const { viewerId } = connection.identity;
    const viewers = this.#viewersByKey.get(key);
    if (viewerId !== null && viewers) {
      viewers.remove(viewerId);
      if (viewers.size === 0) this.#viewersByKey.delete(key);
    }
  }

  /** The people with at least one connection subscribed to a stream key. */
  viewersOn(key: string): ConnectedAccounts {
    return this.#viewersByKey.get(key) ?? NO_VIEWERS;
  }

  /** The lists someone streams here (`list` subscriptions). */
  listsStreamed(): string[] {
    const lists: string[] = [];
    for (const key of this.#byKey.keys()) if (key.startsWith('list:')) lists.push(key.slice(5));
    return lists;
  }

  /** The connections subscribed to a stream key. */
  subscribedTo(key: string): ReadonlySet<StreamConnection> {
    return this.#byKey.get(key) ?? EMPTY;
  }

  /** The connections a person holds. */
  ofViewer(viewerId: string): ReadonlySet<StreamConnection> {
    return this.#byViewer.get(viewerId) ?? EMPTY;
  }

  get connections(): ReadonlySet<StreamConnection> {
    return this.#all;
  }
}

const EMPTY: ReadonlySet<StreamConnection> = new Set();

/**
 * The viewers listening to one stream key, counted by connection. Its array literal (for the
 * statement that asks which of them follow an author) is built once per change of the set rather
 * than once per event: with thousands of readers, rebuilding it was most of an event's cost.
 */
class ViewersOnStream implements ConnectedAccounts {
  readonly #connections = new Map<string, number>();
  #literal: string | null = null;

  get size(): number {
    return this.#connections.size;
  }

  has(viewerId: string): boolean {
    return this.#connections.has(viewerId);
  }

  add(viewerId: string): void {
    const count = this.#connections.get(viewerId) ?? 0;
    this.#connections.set(viewerId, count + 1);
    if (count === 0) this.#literal = null;
  }

  remove(viewerId: string): void {
    decrement(this.#connections, viewerId);
    if (!this.#connections.has(viewerId)) this.#literal = null;
  }

  arrayLiteral(): string {
    // Viewer ids come from the access-token table: snowflakes, safe in an array literal.
    this.#literal ??= `{${[...this.#connections.keys()].join(',')}}`;
    return this.#literal;
  }
}

const NO_VIEWERS: ConnectedAccounts = new ViewersOnStream();

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
