/**
 * Mastodon's streams: their names (`user`, `public:local`, `hashtag`…), the parameter some take
 * (`tag`), the scope each needs, and the key a connection is indexed under. The WebSocket names a
 * stream in a message or the `stream` query parameter; the event-stream endpoints name it by path.
 */
import { normalizeHashtag } from '@murmur/text';

export type StreamName =
  | 'user'
  | 'user:notification'
  | 'public'
  | 'public:media'
  | 'public:local'
  | 'public:local:media'
  | 'public:remote'
  | 'public:remote:media'
  | 'hashtag'
  | 'hashtag:local'
  | 'list'
  | 'direct';

export const STREAM_NAMES: readonly StreamName[] = [
  'user',
  'user:notification',
  'public',
  'public:media',
  'public:local',
  'public:local:media',
  'public:remote',
  'public:remote:media',
  'hashtag',
  'hashtag:local',
  'list',
  'direct',
];

/** A stream a connection listens to. */
export interface Subscription {
  name: StreamName;
  /** The normalized hashtag of `hashtag` and `hashtag:local`. */
  tag: string | null;
  /** The list of a `list` stream (whether it is the viewer's is checked when subscribing). */
  listId: string | null;
  /** Index key: the name, and the tag or list for those streams (`hashtag:local:cats`, `list:7`). */
  key: string;
  /** What Mastodon puts in a WebSocket message's `stream`: `["hashtag", "Cats"]`. */
  label: readonly string[];
}

/** Why a subscription was refused; `status` is the HTTP status Mastodon answers with. */
export class StreamRequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

const PERSONAL: ReadonlySet<StreamName> = new Set(['user', 'user:notification', 'list', 'direct']);

/** Streams only a signed-in person may open; the public ones are open to anyone (see README). */
export function isPersonal(name: StreamName): boolean {
  return PERSONAL.has(name);
}

/** The scopes (any of) a stream needs, as Mastodon checks them. */
export function scopesFor(name: StreamName): string[] {
  if (name === 'user:notification') return ['read', 'read:notifications'];
  if (name === 'list') return ['read', 'read:lists'];
  return ['read', 'read:statuses'];
}

export function isStreamName(value: string): value is StreamName {
  return (STREAM_NAMES as readonly string[]).includes(value);
}

/** Parses a stream request; throws {@link StreamRequestError} with Mastodon's messages. */
export function parseSubscription(
  name: string | undefined,
  params: { tag?: string | undefined; list?: string | undefined },
): Subscription {
  if (!name || !isStreamName(name)) {
    throw new StreamRequestError(400, 'Unknown stream type');
  }
  if (name === 'hashtag' || name === 'hashtag:local') {
    const given = params.tag?.trim().replace(/^#/, '') ?? '';
    const tag = given ? normalizeHashtag(given) : '';
    if (!tag) throw new StreamRequestError(400, 'No tag for stream provided');
    return { name, tag, listId: null, key: `${name}:${tag}`, label: [name, given] };
  }
  if (name === 'list') {
    const listId = params.list?.trim() ?? '';
    // Not a list id: no such list, as for one that is not yours (Mastodon's answer).
    if (!/^\d{1,19}$/.test(listId)) throw new StreamRequestError(404, 'Record not found');
    return { name, tag: null, listId, key: `list:${listId}`, label: [name, listId] };
  }
  return { name, tag: null, listId: null, key: name, label: [name] };
}

/** The stream an event-stream path serves (`/api/v1/streaming/public/local` → `public:local`). */
export function streamNameOfPath(path: string, onlyMedia: boolean): string {
  const name = path.replaceAll('/', ':');
  return onlyMedia && name.startsWith('public') ? `${name}:media` : name;
}
