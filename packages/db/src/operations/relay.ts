/**
 * The outbox relay and reconciler (reliability R23, R24, R34).
 *
 * Claiming: rows are taken by status (`pending`, due), oldest first, with `FOR UPDATE SKIP LOCKED`.
 * Never an "id greater than the last one" cursor: ids and sequence values are allocated before commit,
 * so a transaction that commits late would be skipped for ever.
 *
 * Locking choice: the row locks are held while the batch is published (one short transaction per
 * batch: claim → publish every row concurrently → mark → commit). That is the simplest safe design:
 * a second relay skips locked rows instead of publishing them twice, and a relay that dies mid-batch
 * releases its locks with its connection, so the rows are simply claimed again (and republished with
 * the same message id, which JetStream drops as a duplicate inside its window). The lock is held at
 * most one publish timeout (a few seconds), well below `idle_in_transaction_session_timeout`.
 */
import type { DomainEvent } from '@murmur/events';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { queryRows, type Database, type Executor } from '../client.js';
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

function splitOutcomes(rows: OutboxRow[], outcomes: PublishOutcome[]) {
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

async function markFailed(
  tx: Executor,
  failed: { id: string; attempts: number; error: string }[],
  retryDelayMs: (attempts: number) => number,
): Promise<void> {
  if (failed.length === 0) return;
  await tx.execute(sql`
    update outbox_events o
    set attempts = o.attempts + 1,
        last_error = f.error,
        next_attempt_at = now() + f.delay_ms * interval '1 millisecond'
    from unnest(
      ${sql.param(failed.map((f) => f.id))}::uuid[],
      ${sql.param(failed.map((f) => f.error))}::text[],
      ${sql.param(failed.map((f) => Math.max(0, Math.round(retryDelayMs(f.attempts)))))}::bigint[]
    ) as f(id, error, delay_ms)
    where o.id = f.id`);
}

export interface RelayBatchOptions {
  /** Rows per batch. */
  limit: number;
  publish: PublishBatch;
  /** Delay before the next attempt of a row whose publish failed `attempts` times (1-based). */
  retryDelayMs: (attempts: number) => number;
}

/**
 * Claims up to `limit` due pending rows, publishes them and marks each one `published` (with its
 * stream sequence) only after its PubAck; a failed or unknown outcome leaves the row pending with
 * `attempts + 1` and a later `next_attempt_at`, to be retried with the same event id.
 */
export async function relayOutboxBatch(
  database: Database,
  options: RelayBatchOptions,
): Promise<RelayBatchResult> {
  return withTransaction(database, async (tx) => {
    const rows = (
      await queryRows<RawOutboxRow>(
        tx,
        sql`select id, type, payload, attempts, republish_count, occurred_at
            from outbox_events
            where status = 'pending' and next_attempt_at <= now()
            order by occurred_at
            limit ${options.limit}
            for update skip locked`,
      )
    ).map(toOutboxRow);
    const outcomes = await publishAll(rows, options.publish);
    const { ok, failed } = splitOutcomes(rows, outcomes);
    if (ok.length > 0) {
      await tx.execute(sql`
        update outbox_events o
        set status = 'published', published_at = now(), stream_seq = p.seq, last_error = null
        from unnest(${sql.param(ok.map((p) => p.id))}::uuid[], ${sql.param(ok.map((p) => p.seq))}::bigint[])
          as p(id, seq)
        where o.id = p.id`);
    }
    await markFailed(tx, failed, options.retryDelayMs);
    return { claimed: rows.length, published: ok.length, failed: failed.length };
  });
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
