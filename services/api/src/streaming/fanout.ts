/**
 * From an event to the connections of this process that must hear of it, and what each hears.
 *
 * Candidates come from the hub's indexes (who listens to `public`, to `hashtag:cats`, to `user`);
 * home streams are those of the author's followers among the viewers connected here
 * (`followersAmongMany`); then the audience read (`streamingAudiences`) tells, for all remaining
 * candidate tokens at once, which are still valid, which viewers may read the status under the
 * REST rules, which follow the account whose home fan-out it is, and the status as each sees it.
 * Both questions are asked together for all the events waiting for them (`statement-batch.ts`).
 * Nothing about the follow graph is kept in memory: a replica asks only about the viewers connected
 * to it. Reads go to the primary: an event arrives milliseconds after its commit, before a read
 * replica may have it.
 */
import { type Database } from '@murmur/db';
import {
  listsReceiving,
  notificationByFact,
  validTokenIds,
  type AudienceRequest,
  type StreamingAudience,
} from '@murmur/db/streaming';
import { hydrateStatuses, type StatusView } from '@murmur/db/statuses';
import type { DomainEvent, EventOf } from '@murmur/events';
import type { FastifyBaseLogger } from 'fastify';
import { serializeNotification } from '../entities/notification.js';
import type { StatusJsonWriter } from '../entities/status-json.js';
import { scopesAllow } from '../plugins/scopes.js';
import type { StatementBatcher } from './statement-batch.js';
import { CLOSE, type StreamConnection, type StreamIdentity, type StreamingHub } from './hub.js';
import { scopesFor, type StreamName, type Subscription } from './streams.js';

/** The event types the streaming API listens to. */
export const STREAMED_EVENT_TYPES = [
  'PostCreated',
  'StatusEdited',
  'StatusReblogged',
  'StatusDeleted',
  'ReblogUndone',
  'NotificationCreated',
] as const satisfies readonly DomainEvent['type'][];

export interface FanoutContext {
  hub: StreamingHub;
  database: Database;
  /** The audience statement, shared by the events waiting for it (`statement-batch.ts`). */
  audiences: StatementBatcher<AudienceRequest, StreamingAudience>;
  /** Which connected viewers follow an author, shared likewise. */
  followers: StatementBatcher<string, Set<string>>;
  statusJson: StatusJsonWriter;
  publicOrigin: string;
  log: FastifyBaseLogger;
}

const PUBLIC_STREAMS: readonly StreamName[] = [
  'public',
  'public:media',
  'public:local',
  'public:local:media',
];

/** Streams a status reaches, as (connection, subscription) pairs, each pair once. */
type Candidates = Map<StreamConnection, Subscription[]>;

/**
 * Per identity, the answer of `mayListen` for each stream: an identity's scopes do not change while
 * its connection lives, and the question is asked for every recipient of every event.
 */
const listenable = new WeakMap<StreamIdentity, Map<StreamName, boolean>>();

/** Anonymous readers open only public streams; a token must (still) carry the stream's scopes. */
function mayListen(connection: StreamConnection, stream: StreamName): boolean {
  const { identity } = connection;
  if (identity.tokenId === null) return true;
  let answers = listenable.get(identity);
  if (answers === undefined) listenable.set(identity, (answers = new Map()));
  let allowed = answers.get(stream);
  if (allowed === undefined) {
    allowed = scopesAllow(identity.scopes, scopesFor(stream));
    answers.set(stream, allowed);
  }
  return allowed;
}

function collect(hub: StreamingHub, keys: readonly string[]): Candidates {
  const candidates: Candidates = new Map();
  for (const key of keys) {
    for (const connection of hub.subscribedTo(key)) {
      const subscription = connection.subscriptions.get(key);
      if (!subscription || !mayListen(connection, subscription.name)) continue;
      const list = candidates.get(connection);
      if (list) list.push(subscription);
      else candidates.set(connection, [subscription]);
    }
  }
  return candidates;
}

/**
 * Adds the home-timeline (`user`) streams a status belongs on to the candidates: those of the
 * account itself, of viewers in `alsoReached` (mentioned), and of its followers among the viewers
 * connected here (one indexed statement). The work is bounded by those viewers' connections, not
 * by every connected home stream.
 */
async function addHomeStreams(
  context: FanoutContext,
  candidates: Candidates,
  accountId: string,
  alsoReached: ReadonlySet<string>,
): Promise<void> {
  const { hub } = context;
  const connected = hub.viewersOn('user');
  if (connected.size === 0) return;
  // The followers' set is shared with the other events of the batch: read, never copied.
  const followers = await context.followers.ask(accountId);
  const addViewer = (viewerId: string): void => {
    for (const connection of hub.ofViewer(viewerId)) {
      const subscription = connection.subscriptions.get('user');
      if (!subscription || !mayListen(connection, 'user')) continue;
      const list = candidates.get(connection);
      if (list) list.push(subscription);
      else candidates.set(connection, [subscription]);
    }
  };
  for (const viewerId of followers) addViewer(viewerId);
  for (const viewerId of new Set([accountId, ...alsoReached])) {
    if (!followers.has(viewerId)) addViewer(viewerId);
  }
}

function tokensOf(candidates: Candidates): string[] {
  const tokens = new Set<string>();
  for (const connection of candidates.keys()) {
    if (connection.identity.tokenId !== null) tokens.add(connection.identity.tokenId);
  }
  return [...tokens];
}

/**
 * Who a status goes to: for each candidate connection, the status as its viewer sees it, or null
 * (may not read it). Connections whose token was revoked since they opened are closed here.
 */
/** How one connection's viewer sees a status. */
interface SeenStatus {
  status: StatusView | null;
  followsAccount: boolean;
  /** The viewer's `hide` filters of these contexts match it. */
  hiddenIn: { home: boolean; public: boolean };
  /** The status with the viewer's `warn` matches (`filtered`) in each context. */
  statusIn: { home: StatusView | null; public: StatusView | null };
}

const NOT_HIDDEN = { home: false, public: false } as const;

/** The status as a stream shows it: with `filtered` for its timeline's context (none for direct). */
function shownOn(stream: StreamName, seen: SeenStatus): StatusView | null {
  const context = filterContextOf(stream);
  return context === null ? seen.status : seen.statusIn[context];
}

/**
 * Each candidate connection with its viewer's answer; connections whose token is no longer valid
 * are closed and left out. A viewer's answer is used as it is (no copy per connection).
 */
function* perConnection(
  candidates: Candidates,
  audience: StreamingAudience,
): Generator<[StreamConnection, SeenStatus]> {
  const byToken = new Map<string, SeenStatus>();
  for (const viewer of audience.viewers) byToken.set(viewer.tokenId, viewer);
  const anonymous: SeenStatus = {
    status: audience.anonymous,
    followsAccount: false,
    hiddenIn: NOT_HIDDEN,
    statusIn: { home: audience.anonymous, public: audience.anonymous },
  };
  for (const connection of candidates.keys()) {
    const { tokenId } = connection.identity;
    const seen = tokenId === null ? anonymous : byToken.get(tokenId);
    if (seen === undefined) connection.close(CLOSE.revoked);
    else yield [connection, seen];
  }
}

/**
 * JSON text of each distinct rendering within one event. The audience gives viewers with the same
 * flags and filter matches the same view object, so a rendering is found by that object and by
 * what of the viewer the JSON itself depends on (see `statusViewerFields`, `serializePoll`):
 * signed in or not, and being an author of the status, of the post it boosts or of its poll
 * (`pinned`, `voted`, a poll's hidden totals). For a new post every follower but the author shares
 * one rendering (and, in the transports, one encoded message).
 */
function statusWriter(
  context: FanoutContext,
): (status: StatusView, viewerId: string | null) => string {
  const written = new Map<StatusView, Map<string, string>>();
  return (status, viewerId) => {
    const role = viewerId === null ? '' : isAnAuthor(status, viewerId) ? viewerId : 'reader';
    let byRole = written.get(status);
    if (byRole === undefined) written.set(status, (byRole = new Map()));
    let json = byRole.get(role);
    if (json === undefined) {
      json = context.statusJson.status(status, viewerId);
      byRole.set(role, json);
    }
    return json;
  };
}

function isAnAuthor(status: StatusView, viewerId: string): boolean {
  return (
    status.account.id === viewerId ||
    status.poll?.authorId === viewerId ||
    (status.reblog !== null && isAnAuthor(status.reblog, viewerId))
  );
}

/** What decides which streams a status goes to. */
interface StreamedStatus {
  statusId: string;
  accountId: string;
  visibility: string;
  /** Normalized names. */
  hashtags: readonly string[];
  mentionedAccountIds: readonly string[];
}

/** Adds the `list` streams of the lists (streamed here) whose timelines take the status. */
async function addListStreams(
  context: FanoutContext,
  candidates: Candidates,
  statusId: string,
): Promise<void> {
  const streamed = context.hub.listsStreamed();
  if (streamed.length === 0) return;
  const reached = await listsReceiving(context.database.primary, statusId, streamed);
  const keys = [...reached].map((listId) => `list:${listId}`);
  for (const [connection, subscriptions] of collect(context.hub, keys)) {
    const list = candidates.get(connection);
    if (list) list.push(...subscriptions);
    else candidates.set(connection, subscriptions);
  }
}

/**
 * Sends a status to every stream of this process it belongs on, as each viewer sees it: `update`
 * for a new post, `status.update` for an edit (to the same streams, as Mastodon does).
 */
async function statusToStreams(
  context: FanoutContext,
  post: StreamedStatus,
  eventName: 'update' | 'status.update',
): Promise<void> {
  const { statusId, accountId, visibility, hashtags } = post;
  const keys = ['direct'];
  if (visibility === 'public') {
    keys.push(...PUBLIC_STREAMS);
    for (const tag of hashtags) keys.push(`hashtag:${tag}`, `hashtag:local:${tag}`);
  }
  const candidates = collect(context.hub, keys);
  const mentioned = new Set(post.mentionedAccountIds);
  await Promise.all([
    addHomeStreams(context, candidates, accountId, mentioned),
    visibility === 'direct' ? undefined : addListStreams(context, candidates, statusId),
  ]);
  if (candidates.size === 0) return;
  const audience = await context.audiences.ask({
    statusId,
    tokenIds: tokensOf(candidates),
    followedAccountId: accountId,
  });
  const write = statusWriter(context);
  for (const [connection, seen] of perConnection(candidates, audience)) {
    const { status } = seen;
    if (status === null) continue;
    const viewerId = connection.identity.viewerId;
    const viewer = {
      own: viewerId === accountId,
      followsAccount: seen.followsAccount,
      mentioned: viewerId !== null && mentioned.has(viewerId),
    };
    for (const subscription of candidates.get(connection)!) {
      const shown = shownOn(subscription.name, seen);
      if (
        shown === null ||
        hiddenOn(subscription.name, seen) ||
        !reaches(subscription.name, status, viewer)
      ) {
        continue;
      }
      connection.send(subscription, eventName, write(shown, viewerId));
    }
  }
}

function postCreated(context: FanoutContext, event: EventOf<'PostCreated'>): Promise<void> {
  return statusToStreams(context, event.data, 'update');
}

/** An edit goes, as `status.update`, where the post went; what it now says is read once. */
async function statusEdited(context: FanoutContext, event: EventOf<'StatusEdited'>): Promise<void> {
  const [status] = await hydrateStatuses(context.database.primary, [event.data.statusId], null);
  if (status === undefined || status.reblog !== null) return;
  await statusToStreams(
    context,
    {
      statusId: status.id,
      accountId: status.account.id,
      visibility: status.visibility,
      hashtags: status.tags.map((tag) => tag.name),
      mentionedAccountIds: status.mentions.map((mention) => mention.id),
    },
    'status.update',
  );
}

/** The filter context of a stream's timeline; direct messages are not filtered. */
function filterContextOf(stream: StreamName): 'home' | 'public' | null {
  if (stream === 'user' || stream === 'list') return 'home';
  if (stream === 'direct' || stream === 'user:notification') return null;
  return 'public';
}

/** Whether the viewer's `hide` filters keep the status off a stream (its timeline's context). */
function hiddenOn(stream: StreamName, seen: SeenStatus): boolean {
  const context = filterContextOf(stream);
  return context !== null && seen.hiddenIn[context];
}

/** Whether a status the viewer may read belongs on a stream (Mastodon's timelines). */
function reaches(
  stream: StreamName,
  status: StatusView,
  viewer: { own: boolean; followsAccount: boolean; mentioned: boolean },
): boolean {
  switch (stream) {
    case 'user':
      // The home timeline: your own posts and those of accounts you follow; a direct post only
      // reaches the accounts it mentions.
      if (status.visibility === 'direct') return viewer.own || viewer.mentioned;
      return viewer.own || viewer.followsAccount;
    case 'direct':
      return status.visibility === 'direct';
    case 'public:media':
      return status.visibility === 'public' && status.mediaAttachments.length > 0;
    case 'public:local:media':
      // Local streams carry this server's posts only (a remote status has its own `uri`).
      return status.visibility === 'public' && status.mediaAttachments.length > 0 && !status.uri;
    case 'public':
    case 'hashtag':
      return status.visibility === 'public';
    case 'public:local':
    case 'hashtag:local':
      return status.visibility === 'public' && !status.uri;
    case 'list':
      // The list's own rules chose the stream (`listsReceiving`); never a direct message.
      return status.visibility !== 'direct';
    default:
      return false;
  }
}

async function statusReblogged(
  context: FanoutContext,
  event: EventOf<'StatusReblogged'>,
): Promise<void> {
  // Mastodon's public timelines leave reblogs out; the reblog reaches the reblogger's followers.
  const candidates: Candidates = new Map();
  await addHomeStreams(context, candidates, event.data.accountId, new Set());
  if (candidates.size === 0) return;
  const audience = await context.audiences.ask({
    statusId: event.data.reblogId,
    tokenIds: tokensOf(candidates),
    followedAccountId: event.data.accountId,
  });
  const write = statusWriter(context);
  for (const [connection, seen] of perConnection(candidates, audience)) {
    const viewerId = connection.identity.viewerId;
    if (seen.status === null || !(seen.followsAccount || viewerId === event.data.accountId))
      continue;
    for (const subscription of candidates.get(connection)!) {
      const shown = shownOn(subscription.name, seen);
      if (shown === null || hiddenOn(subscription.name, seen)) continue;
      connection.send(subscription, 'update', write(shown, viewerId));
    }
  }
}

async function statusDeleted(
  context: FanoutContext,
  event: EventOf<'StatusDeleted'>,
): Promise<void> {
  const { statusId, accountId, visibility, reblogIds } = event.data;
  if (visibility === 'public' || visibility === 'unlisted') {
    // Anyone could have read it: every stream that may have shown it hears of the deletion, as
    // Mastodon broadcasts it (an id a client never saw is ignored).
    for (const connection of context.hub.connections) {
      for (const subscription of connection.subscriptions.values()) {
        if (subscription.name === 'user:notification') continue;
        connection.send(subscription, 'delete', statusId);
        if (subscription.name === 'user') {
          for (const reblogId of reblogIds) connection.send(subscription, 'delete', reblogId);
        }
      }
    }
    return;
  }
  // Followers-only and direct: only those who could read it learn that it existed.
  const lists = context.hub.listsStreamed().map((listId) => `list:${listId}`);
  const candidates = collect(context.hub, ['user', 'direct', ...lists]);
  if (candidates.size === 0) return;
  const audience = await context.audiences.ask({
    statusId,
    tokenIds: tokensOf(candidates),
    followedAccountId: accountId,
    includeDeleted: true,
  });
  const mayRead = new Set(audience.viewers.filter((v) => v.mayRead).map((v) => v.tokenId));
  for (const [connection, subscriptions] of candidates) {
    const { tokenId } = connection.identity;
    if (tokenId === null || !mayRead.has(tokenId)) continue;
    for (const subscription of subscriptions) connection.send(subscription, 'delete', statusId);
  }
}

function reblogUndone(context: FanoutContext, event: EventOf<'ReblogUndone'>): void {
  for (const connection of context.hub.subscribedTo('user')) {
    const subscription = connection.subscriptions.get('user');
    if (subscription) connection.send(subscription, 'delete', event.data.reblogId);
  }
}

async function notificationCreated(
  context: FanoutContext,
  event: EventOf<'NotificationCreated'>,
): Promise<void> {
  const recipients: [StreamConnection, Subscription][] = [];
  for (const connection of context.hub.ofViewer(event.data.accountId)) {
    for (const key of ['user', 'user:notification']) {
      const subscription = connection.subscriptions.get(key);
      if (subscription && mayListen(connection, 'user:notification')) {
        recipients.push([connection, subscription]);
      }
    }
  }
  if (recipients.length === 0) return;
  const tokens = [...new Set(recipients.map(([connection]) => connection.identity.tokenId!))];
  const [valid, notification] = await Promise.all([
    validTokenIds(context.database.primary, tokens),
    notificationByFact(context.database.primary, event.data),
  ]);
  if (notification === null) return;
  const payload = JSON.stringify(
    serializeNotification(notification, {
      publicUrl: context.publicOrigin,
      viewerId: event.data.accountId,
    }),
  );
  for (const [connection, subscription] of recipients) {
    if (!valid.has(connection.identity.tokenId!)) connection.close(CLOSE.revoked);
    else connection.send(subscription, 'notification', payload);
  }
}

/** Delivers one event to this process's connections. */
export async function fanOut(context: FanoutContext, event: DomainEvent): Promise<void> {
  switch (event.type) {
    case 'PostCreated':
      return postCreated(context, event);
    case 'StatusEdited':
      return statusEdited(context, event);
    case 'StatusReblogged':
      return statusReblogged(context, event);
    case 'StatusDeleted':
      return statusDeleted(context, event);
    case 'ReblogUndone':
      return reblogUndone(context, event);
    case 'NotificationCreated':
      return notificationCreated(context, event);
    default:
      return;
  }
}
