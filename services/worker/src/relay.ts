/**
 * The outbox relay loop and the reconciler loop (reliability R23, R30, R34).
 *
 * Relay: woken by LISTEN/NOTIFY when events commit, and by a fallback poll. Each pass (`relayOutbox`)
 * claims a batch (leased, oldest first), publishes every event concurrently with msgID = event id,
 * and marks rows published after their PubAck in the statement that claims the next batch, until
 * none is due; the last batch's marks wait for the next pass's claim, up to
 * SETTLE_DEFERRED_AT_MOST_MS. A failed or unknown outcome leaves the row pending with exponential
 * backoff and jitter; while NATS is down the rows back off and the relay drains them when it
 * returns.
 *
 * Reconciler: every `reconcileIntervalMs`, republishes events published longer than
 * RECONCILE_AFTER_SECONDS ago that some consumer has not processed, and deletes old fully processed
 * outbox rows (retention).
 */
import { type Database } from '@murmur/db';
import {
  deleteProcessedOutboxEvents,
  listenForOutbox,
  reconcileOutboxBatch,
  relayOutbox,
  rescheduleUnprocessedOutboxEvents,
  settleOutbox,
  type OutboxListener,
  type OutboxRow,
  type PublishOutcome,
  type UnsettledBatch,
} from '@murmur/db/events';
import type { DomainEvent, EventTopology } from '@murmur/events';
import {
  isMissingTopologyError,
  isUnknownPublishOutcome,
  publishEvent,
} from '@murmur/events/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '@murmur/service-kit';
import type { WorkerTimings } from './config.js';
import { Loop } from './loop.js';
import { CONSUMERS_BY_EVENT_TYPE } from './consumers.js';

export interface RelayDependencies {
  database: Database;
  databaseUrl: string;
  js: JetStreamClient;
  topology: EventTopology;
  logger: Logger;
  timings: WorkerTimings;
  reconcileAfterMs: number;
  /**
   * Recreates the stream when a publish found nobody to store it (`TopologyKeeper.heal`); resolves
   * true when it is back. The publish is then tried once more at once instead of backing off.
   */
  healTopology?: (reason: string, err: unknown) => Promise<boolean>;
}

/** base × 2^(attempts-1), capped, with ±25 % jitter so a fleet of relays does not retry in step. */
export function relayRetryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempts - 1), 20));
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

function publisher(deps: RelayDependencies, what: 'relay' | 'reconcile') {
  return async (rows: readonly OutboxRow[]): Promise<PublishOutcome[]> =>
    Promise.all(
      rows.map(async (row): Promise<PublishOutcome> => {
        const log = {
          eventId: row.id,
          eventType: row.type,
          requestId: row.event.requestId,
          attempts: row.attempts,
        };
        const publish = () =>
          publishEvent(deps.js, deps.topology, row.event as DomainEvent, {
            timeoutMs: deps.timings.publishTimeoutMs,
          });
        try {
          const ack = await publish().catch(async (err: unknown) => {
            if (!isMissingTopologyError(err) || !deps.healTopology) throw err;
            if (!(await deps.healTopology(`${what}: publish found no stream`, err))) throw err;
            return publish();
          });
          deps.logger.debug(
            { ...log, streamSeq: ack.seq, duplicate: ack.duplicate },
            `${what}: event published`,
          );
          return ack.duplicate
            ? { status: 'duplicate', streamSeq: ack.seq }
            : { status: 'stored', streamSeq: ack.seq };
        } catch (err) {
          const unknown = isUnknownPublishOutcome(err);
          // Unknown outcomes (timeout, NATS down) are expected during outages; anything else is a bug
          // or a misconfiguration that a person must look at.
          deps.logger[unknown ? 'warn' : 'error'](
            { ...log, err },
            `${what}: publish failed; will retry with the same id`,
          );
          return { status: 'failed', error: (err as Error).message ?? String(err) };
        }
      }),
    );
}

/**
 * How long a published batch may stay unrecorded waiting for the next event's claim to record it
 * (`deferLastSettle`): at a steady trickle the next event comes first and one statement serves
 * both; in a lull the batch is recorded on its own after this.
 */
export const SETTLE_DEFERRED_AT_MOST_MS = 20;

export class OutboxRelay {
  private readonly loop: Loop;
  private listener: OutboxListener | undefined;
  /** The last pass's batch, published and not recorded yet. */
  private unsettled: UnsettledBatch | undefined;
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RelayDependencies) {
    this.loop = new Loop({
      name: 'outbox relay',
      intervalMs: deps.timings.relayPollMs,
      logger: deps.logger,
      // The loop's passes leave their last batch for the next pass's claim to record.
      run: () => this.relay(true),
    });
  }

  /** One relay pass with everything it published recorded before it returns (and the last pass's). */
  pass(): Promise<number> {
    return this.relay(false);
  }

  /**
   * Batches until the outbox has no due row left; the first statement records the last pass's
   * batch. With `deferLastSettle` the pass's own last batch waits for the next pass (or
   * SETTLE_DEFERRED_AT_MOST_MS). Returns the rows published.
   */
  private async relay(deferLastSettle: boolean): Promise<number> {
    const { timings } = this.deps;
    clearTimeout(this.settleTimer);
    // Kept until a statement has recorded it: a pass that fails leaves it for the next.
    const result = await relayOutbox(this.deps.database, {
      limit: timings.relayBatchSize,
      leaseMs: timings.relayLeaseMs,
      publish: publisher(this.deps, 'relay'),
      retryDelayMs: this.retryDelayMs,
      unsettled: this.unsettled,
      deferLastSettle,
    });
    this.unsettled = result.unsettled;
    if (this.unsettled) {
      this.settleTimer = setTimeout(() => this.loop.wake(), SETTLE_DEFERRED_AT_MOST_MS);
    }
    return result.published;
  }

  private readonly retryDelayMs = (attempts: number) =>
    relayRetryDelayMs(
      attempts,
      this.deps.timings.relayRetryBaseMs,
      this.deps.timings.relayRetryMaxMs,
    );

  async start(): Promise<void> {
    this.listener = await listenForOutbox(this.deps.databaseUrl, () => this.loop.wake(), {
      onError: (err) =>
        this.deps.logger.warn({ err }, 'outbox LISTEN connection lost; reconnecting'),
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    await this.loop.stop();
    clearTimeout(this.settleTimer);
    const unsettled = this.unsettled;
    this.unsettled = undefined;
    // Left unrecorded, the rows would be published again once their lease ends (harmless, but
    // late work for the next relay).
    if (unsettled) {
      await settleOutbox(this.deps.database, unsettled, {
        retryDelayMs: this.retryDelayMs,
        leaseMs: this.deps.timings.relayLeaseMs,
      }).catch((err: unknown) =>
        this.deps.logger.warn(
          { err },
          'relay: the last batch stays leased; it is republished after its lease',
        ),
      );
    }
  }
}

export class Reconciler {
  private readonly loop: Loop;
  /** Set when the stream was lost: the next pass republishes every unprocessed event at once. */
  private republishAll = false;

  constructor(private readonly deps: RelayDependencies) {
    this.loop = new Loop({
      name: 'reconciler',
      intervalMs: deps.timings.reconcileIntervalMs,
      logger: deps.logger,
      run: () => this.pass(),
    });
  }

  /**
   * The stream was (re)created empty: whatever it held before is gone. Every published event a
   * consumer has not processed is republished by the next pass, which starts now, without waiting
   * for RECONCILE_AFTER_SECONDS (duplicates are dropped by the stream or absorbed by the consumers).
   */
  republishUnprocessedSoon(): void {
    this.republishAll = true;
    this.loop.wake();
  }

  /** Republishes what consumers have not processed in time, then applies the retention. */
  async pass(): Promise<number> {
    const { database, timings, logger } = this.deps;
    let olderThanMs = this.deps.reconcileAfterMs;
    if (this.republishAll) {
      this.republishAll = false;
      const due = await rescheduleUnprocessedOutboxEvents(database, {
        handledBy: CONSUMERS_BY_EVENT_TYPE,
      }).catch((err: unknown) => {
        this.republishAll = true;
        throw err;
      });
      olderThanMs = 0;
      logger.warn({ due }, 'reconciler: the stream was recreated; republishing unprocessed events');
    }
    let republished = 0;
    for (;;) {
      const result = await reconcileOutboxBatch(database, {
        handledBy: CONSUMERS_BY_EVENT_TYPE,
        olderThanMs,
        limit: timings.relayBatchSize,
        publish: publisher(this.deps, 'reconcile'),
        recheckAfterMs: this.deps.reconcileAfterMs,
        retryAfterMs: timings.reconcileIntervalMs,
      });
      republished += result.republished;
      // Publishes that failed while the stream is still coming back: the next pass tries them again
      // rather than waiting for RECONCILE_AFTER_SECONDS.
      if (olderThanMs === 0 && result.failed > 0) this.republishAll = true;
      if (result.found > 0) {
        logger.warn(result, 'reconciler: events not processed in time were republished');
      }
      if (result.found < timings.relayBatchSize) break;
    }
    const deleted = await deleteProcessedOutboxEvents(database, {
      handledBy: CONSUMERS_BY_EVENT_TYPE,
      olderThanMs: timings.outboxRetentionMs,
    });
    if (deleted > 0) logger.info({ deleted }, 'outbox retention: processed events deleted');
    return republished;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
