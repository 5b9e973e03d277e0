/**
 * The outbox relay and reconciler (reliability R23, R24, R34).
 *
 * Claiming: rows are taken by status (`pending`, due), longest due first, with `FOR UPDATE SKIP LOCKED`.
 * Never an "id greater than the last one" cursor: ids and sequence values are allocated before commit,
 * so a transaction that commits late would be skipped for ever.
 *
 * Claiming leases the rows instead of holding their locks while publishing: the claim is one
 * statement that moves the rows' next attempt `leaseMs` ahead (`FOR UPDATE SKIP LOCKED` only keeps
 * two concurrent claims apart), so another relay does not see them until the lease ends. The outcomes
 * are recorded by a second statement, which also claims the next batch when the relay goes on. A
 * relay that dies mid-batch leaves its rows leased; they are claimed again when the lease ends and
 * republished with the same message id (JetStream drops the duplicate inside its window). No
 * transaction stays open across the network, and a batch costs one statement instead of four
 * (begin, claim, mark, commit): on a loaded machine every statement costs CPU on both sides.
 */
import type { DomainEvent } from '@murmur/events';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { opaque, queryRows, type Database, type Executor } from '../client.js';
import { withTransaction } from '../transaction.js';

export interface OutboxRow {
  id: string;
  type: string;
  event: DomainEvent;
  attempts: number;
  republishCount: number;
  occurredAt: Date;
}

/** What became of one publish. `streamSeq` is the stored message (the original one for a duplicate). */
export type PublishOutcome =
  | { status: 'stored'; streamSeq: number }
  | { status: 'duplicate'; streamSeq: number }
  | { status: 'failed'; error: string };

/** Publishes every row of a batch (concurrently if it likes) and reports one outcome per row, in order. */
export type PublishBatch = (rows: readonly OutboxRow[]) => Promise<PublishOutcome[]>;

export interface RelayBatchResult {
  claimed: number;
  published: number;
  failed: number;
}

interface RawOutboxRow {
  id: string;
  type: string;
  payload: DomainEvent;
  attempts: number;
  republish_count: number;
  occurred_at: Date | string;
}

function toOutboxRow(row: RawOutboxRow): OutboxRow {
  return {
    id: row.id,
    type: row.type,
    event: row.payload,
    attempts: row.attempts,
    republishCount: row.republish_count,
    occurredAt: new Date(row.occurred_at),
  };
}

async function publishAll(rows: OutboxRow[], publish: PublishBatch): Promise<PublishOutcome[]> {
  if (rows.length === 0) return [];
  let outcomes: PublishOutcome[];
  try {
    outcomes = await publish(rows);
  } catch (error) {
    outcomes = rows.map(() => ({
      status: 'failed',
      error: (error as Error).message ?? String(error),
    }));
  }
  if (outcomes.length !== rows.length) throw new Error('publish must return one outcome per row');
  return outcomes;
}

function splitOutcomes(rows: readonly OutboxRow[], outcomes: readonly PublishOutcome[]) {
  const ok: { id: string; seq: number; stored: boolean }[] = [];
  const failed: { id: string; attempts: number; error: string }[] = [];
  rows.forEach((row, i) => {
    const outcome = outcomes[i]!;
    if (outcome.status === 'failed') {
      failed.push({ id: row.id, attempts: row.attempts + 1, error: outcome.error.slice(0, 1000) });
    } else {
      ok.push({ id: row.id, seq: outcome.streamSeq, stored: outcome.status === 'stored' });
    }
  });
  return { ok, failed };
}

export interface RelayBatchOptions {
  /** Rows per batch. */
  limit: number;
  publish: PublishBatch;
  /** Delay before the next attempt of a row whose publish failed `attempts` times (1-based). */
  retryDelayMs: (attempts: number) => number;
  /**
   * How long claimed rows stay invisible to other relays: longer than publishing a batch can take
   * (the publish timeout). A relay that dies mid-batch leaves its rows to be claimed again after it.
   */
  leaseMs?: number;
}

export const DEFAULT_RELAY_LEASE_MS = 30_000;

const OUTBOX_ROW_COLUMNS = sql.raw('id, type, payload, attempts, republish_count, occurred_at');

/**
 * Claims up to `limit` due pending rows (the longest due first, `SKIP LOCKED` against concurrent
 * claims) by moving their next attempt to the end of the lease, and returns them oldest first.
 * `except`: rows this statement settles, never claimed again by it.
 *
 * Due order is the pending index's own order (`next_attempt_at, occurred_at`), so the claim reads
 * that index from its start and stops after `limit` rows, whatever the statistics say. Ordered by
 * `occurred_at` alone, the plan depended on them: analysed while a backlog was pending (after an
 * outage, or in the streaming benchmark after its set-up), the planner expected every row to be
 * due and chose to read the whole table and sort it, for every claim, however few rows were
 * pending; published rows are kept for the retention window, so that read grows with it (seen:
 * 1,600 buffers per claim over 11,000 published rows). For a new event the two orders agree (both
 * columns are the commit's `now()`); a retried one is taken when its retry is due. Rows of one
 * transaction tie, and are returned in id order. Its rows to skip are `opaque`, as the settling
 * statement's arrays: planned for their values, the settling statement was planned at 213 of its
 * 242 calls in the streaming benchmark (133 ms of PostgreSQL's time for 452 ms of work), 18 of 395
 * since.
 */
function claimDueRows(limit: number, leaseMs: number, except: readonly string[] = []): SQL {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError('limit must be a positive integer');
  // The limit is written into the text (one of a few configured values): a generic plan made for
  // `limit $n` assumes a tenth of the due rows and, with statistics that say every row is due,
  // reads and sorts the whole table.
  return sql`update outbox_events o
    set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
    from (
      select id from outbox_events
      where status = 'pending' and next_attempt_at <= now()
        and id <> all(${opaque(except, 'uuid[]')})
      order by next_attempt_at, occurred_at
      limit ${sql.raw(String(limit))}
      for update skip locked
    ) due
    where o.id = due.id
    returning o.id, o.type, o.payload, o.attempts, o.republish_count, o.occurred_at`;
}

/** Claims a batch on its own (see `claimDueRows`), oldest first. */
async function claimBatch(
  executor: Executor,
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  const rows = await queryRows<RawOutboxRow>(
    executor,
    sql`with claimed as (${claimDueRows(limit, leaseMs)})
        select ${OUTBOX_ROW_COLUMNS} from claimed order by occurred_at, id`,
    // The relay's most frequent statement; planned once per connection (the plan is the same for
    // every limit and lease).
    { prepared: true },
  );
  return rows.map(toOutboxRow);
}

/**
 * Records a batch's outcomes: each stored or duplicate row `published` with its stream sequence, each
 * failed one with `attempts + 1`, its error and its backoff. With `claimNext`, the same statement
 * claims the next batch.
 */
async function settleRows(
  executor: Executor,
  rows: readonly OutboxRow[],
  outcomes: readonly PublishOutcome[],
  options: { retryDelayMs: (attempts: number) => number; claimNext: number; leaseMs: number },
): Promise<{ published: number; failed: number; next: OutboxRow[] }> {
  const { ok, failed } = splitOutcomes(rows, outcomes);
  const delays = failed.map((f) => Math.max(0, Math.round(options.retryDelayMs(f.attempts))));
  const claim =
    options.claimNext > 0
      ? claimDueRows(
          options.claimNext,
          options.leaseMs,
          rows.map((r) => r.id),
        )
      : sql`select ${OUTBOX_ROW_COLUMNS} from outbox_events where false`;
  const next = await queryRows<RawOutboxRow>(
    executor,
    sql`with published as (
          update outbox_events o
          -- For a published row, next_attempt_at is the reconciler's "check again after": the
          -- lease no longer applies.
          set status = 'published', published_at = now(), stream_seq = p.seq, last_error = null,
              next_attempt_at = now()
          from unnest(${opaque(
            ok.map((p) => p.id),
            'uuid[]',
          )}, ${opaque(
            ok.map((p) => p.seq),
            'bigint[]',
          )}) as p(id, seq)
          where o.id = p.id
          returning 1
        ),
        failed as (
          update outbox_events o
          set attempts = o.attempts + 1,
              last_error = f.error,
              next_attempt_at = now() + f.delay_ms * interval '1 millisecond'
          from unnest(
            ${opaque(
              failed.map((f) => f.id),
              'uuid[]',
            )},
            ${opaque(
              failed.map((f) => f.error),
              'text[]',
            )},
            ${opaque(delays, 'bigint[]')}
          ) as f(id, error, delay_ms)
          where o.id = f.id
          returning 1
        ),
        claimed as (${claim})
        select ${OUTBOX_ROW_COLUMNS} from claimed order by occurred_at, id`,
    { prepared: true },
  );
  return { published: ok.length, failed: failed.length, next: next.map(toOutboxRow) };
}

/**
 * Claims up to `limit` due pending rows, publishes them and marks each one `published` (with its
 * stream sequence) only after its PubAck; a failed or unknown outcome leaves the row pending with
 * `attempts + 1` and a later `next_attempt_at`, to be retried with the same event id. Two statements,
 * and no row lock is held while publishing: claimed rows are leased (`leaseMs`) instead.
 */
export async function relayOutboxBatch(
  database: Database,
  options: RelayBatchOptions,
): Promise<RelayBatchResult> {
  const leaseMs = options.leaseMs ?? DEFAULT_RELAY_LEASE_MS;
  const rows = await claimBatch(database.primary, options.limit, leaseMs);
  if (rows.length === 0) return { claimed: 0, published: 0, failed: 0 };
  const outcomes = await publishAll(rows, options.publish);
  const settled = await settleRows(database.primary, rows, outcomes, {
    retryDelayMs: options.retryDelayMs,
    claimNext: 0,
    leaseMs,
  });
  return { claimed: rows.length, published: settled.published, failed: settled.failed };
}

/** A published batch whose outcomes are not recorded yet (see `RelayPassOptions.deferLastSettle`). */
export interface UnsettledBatch {
  readonly rows: readonly OutboxRow[];
  readonly outcomes: readonly PublishOutcome[];
}

export interface RelayPassOptions extends RelayBatchOptions {
  /** The last pass's batch left unrecorded: this pass's first statement records it and claims. */
  unsettled?: UnsettledBatch | undefined;
  /**
   * Leave the outcomes of the pass's last batch unrecorded when every row was stored and the batch
   * was not full (nothing more was due at its claim), and return it as `unsettled` for the next
   * pass. At a steady trickle of events each pass is one event, and recording it in a statement of
   * its own made two statements per event; deferred, the statement that claims the next event
   * records it, one statement per event. The rows stay leased meanwhile: a relay that dies first
   * leaves them to be published again after the lease, with the same message ids (JetStream drops
   * the duplicates), as for a relay that dies mid-batch.
   */
  deferLastSettle?: boolean;
}

export interface RelayPassResult extends RelayBatchResult {
  /** With `deferLastSettle`: the batch published and not recorded yet. */
  unsettled?: UnsettledBatch;
}

/**
 * Publishes due pending rows batch after batch until none is left (see `relayOutboxBatch`), in one
 * statement per batch: the statement that records a batch's outcomes also claims the next batch
 * (and, with `unsettled`, the first statement records the last pass's batch). A failed publish ends
 * the pass (NATS is probably unavailable: the failed rows back off, the others wait for the next
 * pass). `published` and `failed` count this pass's publishes, recorded or deferred.
 */
export async function relayOutbox(
  database: Database,
  options: RelayPassOptions,
): Promise<RelayPassResult> {
  const total: RelayBatchResult = { claimed: 0, published: 0, failed: 0 };
  let rows = options.unsettled
    ? (await settleBatch(database, options.unsettled, options, options.limit)).next
    : await claimBatch(database.primary, options.limit, options.leaseMs ?? DEFAULT_RELAY_LEASE_MS);
  while (rows.length > 0) {
    total.claimed += rows.length;
    const outcomes = await publishAll(rows, options.publish);
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    total.published += outcomes.length - failed;
    total.failed += failed;
    if (options.deferLastSettle && failed === 0 && rows.length < options.limit) {
      return { ...total, unsettled: { rows, outcomes } };
    }
    rows = (
      await settleBatch(database, { rows, outcomes }, options, failed > 0 ? 0 : options.limit)
    ).next;
  }
  return total;
}

/**
 * Records a published batch's outcomes and claims up to `claimNext` due rows in the same statement
 * (the relay's own passes and `settleOutbox` alike).
 */
function settleBatch(
  database: Database,
  batch: UnsettledBatch,
  options: Pick<RelayBatchOptions, 'retryDelayMs' | 'leaseMs'>,
  claimNext: number,
) {
  return settleRows(database.primary, batch.rows, batch.outcomes, {
    retryDelayMs: options.retryDelayMs,
    claimNext,
    leaseMs: options.leaseMs ?? DEFAULT_RELAY_LEASE_MS,
  });
}

/** Records a deferred batch's outcomes on their own (no claim): when no next pass came soon. */
export async function settleOutbox(
  database: Database,
  batch: UnsettledBatch,
  options: Pick<RelayBatchOptions, 'retryDelayMs' | 'leaseMs'>,
): Promise<void> {
  await settleBatch(database, batch, options, 0);
}

/**
 * Which consumers must process each event type, e.g. `{ UserMentioned: ['notifications',
 * 'statistics'], PostCreated: ['statistics'] }`. An event is "fully processed" when every consumer
 * listed for its type has a `processed_events` row for it.
 */
export type ConsumersByEventType = Readonly<Record<string, readonly string[]>>;

function missingConsumerCondition(handledBy: ConsumersByEventType): SQL {
  const pairs = Object.entries(handledBy).flatMap(([type, consumers]) =>
    consumers.map((consumer) => sql`(${type}, ${consumer})`),
  );
  if (pairs.length === 0) return sql`false`;
  return sql`exists (
    select 1 from (values ${sql.join(pairs, sql`, `)}) as r(type, consumer)
    where r.type = o.type
      and not exists (
        select 1 from processed_events p where p.consumer = r.consumer and p.event_id = o.id
      )
  )`;
}

export interface ReconcileBatchOptions {
  handledBy: ConsumersByEventType;
  /** Events published longer ago than this without being fully processed are republished. */
  olderThanMs: number;
  limit: number;
  publish: PublishBatch;
  /** After a republish was stored, wait this long before checking the event again. */
  recheckAfterMs: number;
  /** After a duplicate (still inside the stream's duplicate window) or a failure, try again after. */
  retryAfterMs: number;
}

export interface ReconcileBatchResult {
  /** Events found unprocessed. */
  found: number;
  /** Republishes JetStream stored. */
  republished: number;
  /** Republishes JetStream dropped as duplicates (the original is inside the duplicate window). */
  duplicates: number;
  failed: number;
}

/**
 * The "no lost events" check (R34): events published more than `olderThanMs` ago that some consumer
 * has not processed are published again with the same event id (JetStream may have lost them, e.g.
 * on an OS crash before fsync, or someone deleted them). Within the stream's duplicate window the
 * republish is dropped as a duplicate and retried later; after it, it is stored again and consumer
 * idempotency absorbs any double delivery. `next_attempt_at` of a published row is reused as "check
 * again after".
 */
export async function reconcileOutboxBatch(
  database: Database,
  options: ReconcileBatchOptions,
): Promise<ReconcileBatchResult> {
  return withTransaction(database, async (tx) => {
    const rows = (
      await queryRows<RawOutboxRow>(
        tx,
        sql`select o.id, o.type, o.payload, o.attempts, o.republish_count, o.occurred_at
            from outbox_events o
            where o.status = 'published'
              and o.published_at < now() - ${options.olderThanMs} * interval '1 millisecond'
              and o.next_attempt_at <= now()
              and ${missingConsumerCondition(options.handledBy)}
            order by o.published_at
            limit ${options.limit}
            for update of o skip locked`,
      )
    ).map(toOutboxRow);
    const outcomes = await publishAll(rows, options.publish);
    const { ok, failed } = splitOutcomes(rows, outcomes);
    const stored = ok.filter((p) => p.stored);
    const duplicates = ok.filter((p) => !p.stored);
    if (stored.length > 0) {
      await tx.execute(sql`
        update outbox_events o
        set republish_count = o.republish_count + 1,
            stream_seq = p.seq,
            next_attempt_at = now() + ${options.recheckAfterMs} * interval '1 millisecond'
        from unnest(${sql.param(stored.map((p) => p.id))}::uuid[], ${sql.param(stored.map((p) => p.seq))}::bigint[])
          as p(id, seq)
        where o.id = p.id`);
    }
    const retry = [...duplicates.map((p) => p.id), ...failed.map((f) => f.id)];
    if (retry.length > 0) {
      await tx.execute(sql`
        update outbox_events
        set next_attempt_at = now() + ${options.retryAfterMs} * interval '1 millisecond'
        where id = any(${sql.param(retry)}::uuid[])`);
    }
    return {
      found: rows.length,
      republished: stored.length,
      duplicates: duplicates.length,
      failed: failed.length,
    };
  });
}

/**
 * After the stream was lost (a server or cluster back on empty storage): makes every published event
 * that some consumer has not processed due for the reconciler now, whatever its schedule, so a pass
 * with `olderThanMs: 0` republishes each of them once. Returns how many were made due.
 */
export async function rescheduleUnprocessedOutboxEvents(
  database: Database,
  options: { handledBy: ConsumersByEventType },
): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`update outbox_events o
        set next_attempt_at = now()
        where o.status = 'published'
          and o.next_attempt_at > now()
          and ${missingConsumerCondition(options.handledBy)}
        returning o.id`,
  );
  return rows.length;
}

/**
 * Retention: deletes outbox rows published more than `olderThanMs` ago (7 days by default) that every
 * consumer concerned has processed. Unprocessed rows stay, whatever their age.
 */
export async function deleteProcessedOutboxEvents(
  database: Database,
  options: { handledBy: ConsumersByEventType; olderThanMs?: number; limit?: number },
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? 7 * 24 * 60 * 60 * 1000;
  const rows = await queryRows<{ id: string }>(
    database.primary,
    sql`delete from outbox_events
        where id in (
          select o.id from outbox_events o
          where o.status = 'published'
            and o.published_at < now() - ${olderThanMs} * interval '1 millisecond'
            and not ${missingConsumerCondition(options.handledBy)}
          limit ${options.limit ?? 10_000}
        )
        returning id`,
  );
  return rows.length;
}

export interface OutboxBacklog {
  /** Rows not yet published. */
  pending: number;
  /** Pending rows whose last publish failed. */
  retrying: number;
  /** Age of the oldest pending row, in seconds (0 when none). */
  oldestPendingSeconds: number;
  /** Rows published and since republished by the reconciler at least once. */
  republished: number;
}

export async function outboxBacklog(database: Database): Promise<OutboxBacklog> {
  const [row] = await queryRows<{
    pending: string;
    retrying: string;
    oldest: number | null;
    republished: string;
  }>(
    database.primary,
    sql`select
          (select count(*) from outbox_events where status = 'pending') as pending,
          (select count(*) from outbox_events where status = 'pending' and attempts > 0) as retrying,
          (select extract(epoch from now() - min(occurred_at))::float8 from outbox_events where status = 'pending') as oldest,
          (select count(*) from outbox_events where status = 'published' and republish_count > 0) as republished`,
  );
  return {
    pending: Number(row?.pending ?? 0),
    retrying: Number(row?.retrying ?? 0),
    oldestPendingSeconds: Math.max(0, Math.round(row?.oldest ?? 0)),
    republished: Number(row?.republished ?? 0),
  };
}

/** The channel the outbox trigger notifies on every insert (migration 0002). */
export const OUTBOX_CHANNEL = 'murmur_outbox';

export interface OutboxListener {
  close(): Promise<void>;
}

export interface ListenForOutboxOptions {
  /** Reports connection problems (the listener reconnects by itself). */
  onError?: (error: Error) => void;
  /** Delay before the first reconnect; doubles up to 10 s. Default 200 ms. */
  reconnectDelayMs?: number;
}

/**
 * Calls `onNotify` whenever a transaction that inserted outbox rows commits. Uses a dedicated
 * connection (LISTEN does not work through a pool), reconnects with backoff when it drops, and calls
 * `onNotify` after every (re)connect too, since notifications sent while disconnected are lost. The
 * relay still polls as a fallback: a notification is a hint, never the only trigger.
 */
export async function listenForOutbox(
  databaseUrl: string,
  onNotify: () => void,
  options: ListenForOutboxOptions = {},
): Promise<OutboxListener> {
  const baseDelay = options.reconnectDelayMs ?? 200;
  let closed = false;
  let client: pg.Client | undefined;
  let delay = baseDelay;
  let timer: NodeJS.Timeout | undefined;

  const scheduleReconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connectOnce();
    }, delay);
    delay = Math.min(delay * 2, 10_000);
  };

  const connectOnce = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'murmur-outbox-listener',
    });
    client = c;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      options.onError?.(error);
      c.removeAllListeners('notification');
      void c.end().catch(() => {});
      if (client === c) client = undefined;
      scheduleReconnect();
    };
    c.on('error', fail);
    c.on('end', () => {
      if (!closed) fail(new Error('outbox listener connection ended'));
    });
    c.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) onNotify();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      delay = baseDelay;
      onNotify();
    } catch (error) {
      // Not fatal: the relay polls meanwhile, and the listener keeps trying to connect.
      fail(error as Error);
    }
  };

  await connectOnce();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}
