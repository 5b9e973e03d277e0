/**
 * Status entities written straight to JSON text, for the routes that return pages of statuses.
 *
 * Most of a Status changes only when it is edited (see `StatusFixedFields`), yet building it costs more
 * than the database read behind it: rendering the content's links, the author's entity with its
 * HTML note, then the schema serializer. So the fixed part of each status and each author's entity
 * are kept as JSON text (a status's keyed by its id and `edited_at`), and a response is those pieces joined with what is read fresh every time:
 * the counters, the poll, the author's current state, and the viewer's own flags. Nothing mutable is cached:
 * an author's text is reused only while every field the database returned for them is unchanged.
 * The output parses to exactly what `serializeStatus` builds (entities.test.ts holds them equal).
 */
import type { AccountView } from '@murmur/db/accounts';
import type { StatusView } from '@murmur/db/statuses';
import { Gauge, type Registry } from '@murmur/service-kit';
import { serializeAccount } from './account.js';
import {
  statusCountFields,
  statusFixedFields,
  statusPollField,
  statusViewerFields,
} from './status.js';

/** Statuses and authors kept per process; about 1 KB of text each. */
const DEFAULT_STATUS_JSON_CAPACITY = 20_000;

/** A map that forgets its oldest insertion beyond `capacity`: cheap, and hot entries come back. */
class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

interface AccountJson {
  view: AccountView;
  json: string;
}

const same = <T>(a: T, b: T): boolean => a === b;

/**
 * How to compare each field of an AccountView. The type lists every field, so one added to the view
 * cannot be forgotten here (an author's cached entity would then ignore changes to it).
 */
const ACCOUNT_FIELD_EQUALITY: {
  [K in keyof AccountView]-?: (a: AccountView[K], b: AccountView[K]) => boolean;
} = {
  id: same,
  username: same,
  displayName: same,
  note: same,
  createdAt: (a, b) => a.getTime() === b.getTime(),
  statusesCount: same,
  followersCount: same,
  followingCount: same,
  lastStatusAt: same,
  avatarKey: same,
  headerKey: same,
  locked: same,
  domain: same,
  uri: same,
  url: same,
  remoteAvatarUrl: same,
  remoteHeaderUrl: same,
};
const ACCOUNT_FIELDS = Object.keys(ACCOUNT_FIELD_EQUALITY) as (keyof AccountView)[];

function sameAccount(a: AccountView, b: AccountView): boolean {
  return ACCOUNT_FIELDS.every((field) =>
    (ACCOUNT_FIELD_EQUALITY[field] as (x: unknown, y: unknown) => boolean)(a[field], b[field]),
  );
}

/** Identifies one version of a status's fixed fields: its id and when it was last edited. */
function fixedCacheKey(view: StatusView): string {
  return view.editedAt === null ? view.id : `${view.id}@${view.editedAt.getTime()}`;
}

/** `{"a":1,"b":2}` → `"a":1,"b":2`, to splice into a larger object. */
function members(value: object): string {
  return JSON.stringify(value).slice(1, -1);
}

export interface StatusJsonWriter {
  /** One Status entity as JSON (a reblog with its original). */
  status(view: StatusView, viewerId: string | null): string;
  /** An array of Status entities as JSON. */
  statuses(views: readonly StatusView[], viewerId: string | null): string;
  /** Entries held, for tests and metrics. */
  readonly cached: { statuses: number; accounts: number };
}

export function createStatusJsonWriter(
  publicUrl: string,
  capacity = DEFAULT_STATUS_JSON_CAPACITY,
): StatusJsonWriter {
  const fixedByStatus = new BoundedMap<string, string>(capacity);
  const accounts = new BoundedMap<string, AccountJson>(capacity);

  function accountJson(view: AccountView): string {
    const known = accounts.get(view.id);
    if (known !== undefined && sameAccount(known.view, view)) return known.json;
    const json = JSON.stringify(serializeAccount(view, publicUrl));
    accounts.set(view.id, { view, json });
    return json;
  }

  function fixedJson(view: StatusView): string {
    // An edit changes the "fixed" part, and always moves `edited_at`: keyed by both, an edited
    // status can never be served from the text cached before its edit.
    // A remote status's attachments are fetched after it is stored, without an edit: until they
    // are all processed its text is not kept.
    if (view.mediaAttachments.some((m) => m.processing === 'pending')) {
      return members(statusFixedFields(view, publicUrl));
    }
    const key = fixedCacheKey(view);
    let fixed = fixedByStatus.get(key);
    if (fixed === undefined) {
      fixed = members(statusFixedFields(view, publicUrl));
      fixedByStatus.set(key, fixed);
    }
    return fixed;
  }

  function status(view: StatusView, viewerId: string | null): string {
    const viewerFields = statusViewerFields(view, viewerId);
    return (
      `{${fixedJson(view)},"account":${accountJson(view.account)},` +
      members(statusCountFields(view)) +
      `,${members(statusPollField(view, viewerId))}` +
      (viewerFields === null ? '' : `,${members(viewerFields)}`) +
      `,"reblog":${view.reblog === null ? 'null' : status(view.reblog, viewerId)}}`
    );
  }

  return {
    status,
    statuses: (views, viewerId) => `[${views.map((view) => status(view, viewerId)).join(',')}]`,
    get cached() {
      return { statuses: fixedByStatus.size, accounts: accounts.size };
    },
  };
}

/** `status_json_cache_entries{kind="statuses"|"accounts"}`: how full the writer's caches are. */
export function registerStatusJsonMetrics(writer: StatusJsonWriter, registry: Registry): void {
  new Gauge({
    name: 'status_json_cache_entries',
    help: 'Statuses and authors whose JSON text this process keeps (see entities/status-json.ts)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const { statuses, accounts } = writer.cached;
      this.set({ kind: 'statuses' }, statuses);
      this.set({ kind: 'accounts' }, accounts);
    },
  });
}
