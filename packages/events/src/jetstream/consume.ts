/**
 * The consume loop every worker concern runs (reliability R25–R30).
 *
 * - Pulls with the iterator API and `max_messages = concurrency`: never nats.js's default prefetch of
 *   100, whose buffered messages can outlive AckWait and be processed twice (nats.go #1929). A message
 *   is taken from the iterator only when a handler slot is free, so the client holds at most
 *   `concurrency` running plus about `concurrency` buffered messages.
 * - Invalid messages are handed to `onInvalid` (dead letter) and terminated; a bad message never
 *   blocks the others.
 * - While a handler runs, `working()` extends the ack deadline; on success the ack is confirmed by the
 *   server (the "double ack"; one `ackAck` for the acks sent in the same turn, `AckBatch`); on failure
 *   the message is nak'ed with a growing delay.
 * - Missed heartbeats (server restarted, consumer stuck: nats-server #5839) make the loop drop its
 *   iterator and build a new one, with backoff; reconnects themselves are handled by nats.js.
 * - `stop()` stops pulling, hands back buffered messages, and waits for running handlers to finish and
 *   be acked, within a deadline.
 *
 * Delivery is at least once: the same event can arrive again (late ack, redelivery after AckWait, a
 * crash after the side effect but before the ack). Handlers must be idempotent.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { errors as natsErrors } from '@nats-io/transport-node';
import { AckBatch } from './ack-batch.js';
import { decodeEvent, InvalidEventError, type DomainEvent } from '../contracts.js';
import { subjectFor, type EventTopology } from '../topology.js';
import { defaultRetryDelayMs, effectiveAckWaitMs } from './consumer-config.js';
import { isMissingTopologyError } from './keeper.js';
import { silentLogger, type LoggerLike } from './logger.js';
import { Slots } from './slots.js';
import { backoffWithJitter, cancellableDelay, type CancellableDelay } from './time.js';

export interface DeliveryMeta {
  /** 1 on the first delivery. */
  deliveryCount: number;
  streamSeq: number;
  subject: string;
  redelivered: boolean;
}

export interface InvalidDelivery {
  subject: string;
  streamSeq: number;
  data: Uint8Array;
  error: InvalidEventError;
  deliveryCount: number;
}

export interface StartConsumerOptions {
  /** Durable name of an existing pull consumer on the topology's stream (see `ensureConsumer`). */
  consumerName: string;
  /** Handlers running at once; also the pull batch size. */
  concurrency: number;
  /** Processes one event. Must be idempotent. Throwing means "retry later". */
  handle: (event: DomainEvent, meta: DeliveryMeta) => Promise<void>;
  /** Records a message that is not a valid event (dead letter). It is terminated afterwards. */
  onInvalid: (raw: InvalidDelivery) => Promise<void>;
  logger?: LoggerLike;
  /** Delay before the redelivery of a failed message; default 1 s, 5 s, 30 s, 2 min, 10 min… */
  retryDelayMs?: (deliveryCount: number) => number;
  /**
   * Whether a handler's failure says nothing about the event, only that a dependency is unavailable
   * right now (the database restarting). Such a failure spends no delivery: the message is kept
   * (`working()`) and its handler run again in place, with growing pauses
   * ({@link transientRetryDelayMs}), until it succeeds, fails in another way, or the consumer stops
   * (then it is nak'ed). Without it, an outage longer than the redelivery schedule would exhaust
   * `maxDeliver` and dead-letter events that were fine.
   */
  isTransient?: (err: unknown) => boolean;
  /** Pause before running a handler again after a transient failure; default 250 ms doubling to 5 s. */
  transientRetryDelayMs?: (attempt: number) => number;
  /**
   * How often to send `working()` while a handler runs. Default: a third of the consumer's ack wait
   * (read from the server). 0 disables it.
   */
  workingIntervalMs?: number;
  /** Expiry of each pull request (nats.js default 30 s; the idle heartbeat is half of it). Min 1000. */
  pullExpiresMs?: number;
  /** How long to wait for the server to confirm an ack; default the JetStream client's timeout. */
  ackTimeoutMs?: number;
  /**
   * Called when the stream or the consumer is missing (or JetStream does not answer): recreate them
   * (`TopologyKeeper.heal`). Resolving true means they are back, and the loop pulls again at once.
   * Without it the loop only retries, for ever.
   */
  onTopologyMissing?: (err: unknown) => Promise<boolean>;
}

export interface StopOptions {
  /** How long to wait for running handlers; default 30 s. Later acks still go out if they can. */
  deadlineMs?: number;
}

export interface ConsumerHandle {
  /** Resolves once the consumer is pulling (or when stopped before that). */
  readonly ready: Promise<void>;
  /** Resolves when the consume loop has ended (after `stop()`, or when the connection closed). */
  readonly closed: Promise<void>;
  /** Messages whose handler (or dead-lettering) is running now. */
  readonly inFlight: number;
  /** Stops pulling, waits for running handlers to finish and be acked (up to the deadline). */
  stop(opts?: StopOptions): Promise<void>;
  /** Resolves when no message is being handled. */
  idle(): Promise<void>;
}

const DEFAULT_STOP_DEADLINE_MS = 30_000;

/** 250 ms, doubling, at most 5 s (with jitter): a restarted database is back within a pause. */
export function transientRetryDelayMs(attempt: number): number {
  return backoffWithJitter(attempt, 250, 5_000);
}
const MIN_WORKING_INTERVAL_MS = 100;
/** A consume iterator that lived this long is "healthy": the recreate backoff starts over. */
const HEALTHY_ITERATOR_MS = 30_000;

export function startConsumer(
  js: JetStreamClient,
  topology: EventTopology,
  options: StartConsumerOptions,
): ConsumerHandle {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError('concurrency must be a positive integer');
  }
  if (options.pullExpiresMs !== undefined && options.pullExpiresMs < 1000) {
    throw new RangeError('pullExpiresMs must be at least 1000');
  }
  const consumer = new EventConsumer(js, topology, options);
  consumer.start();
  return consumer;
}

class EventConsumer implements ConsumerHandle {
  readonly ready: Promise<void>;
  closed: Promise<void> = Promise.resolve();

  private readonly logger: LoggerLike;
  private readonly slots: Slots;
  private readonly retryDelay: (deliveryCount: number) => number;
  private readonly logBase: { consumer: string; stream: string };
  private markReady: () => void = () => {};
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private current: ConsumerMessages | undefined;
  private pause: CancellableDelay | undefined;
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  /** Event ids (or stream seqs) of running handlers, for the shutdown log. */
  private readonly runningIds = new Set<string>();
  private workingIntervalMs = 0;
  private maxDeliver = Number.POSITIVE_INFINITY;
  /** Handlers waiting out a dependency's outage: `stop()` cuts their pauses short. */
  private readonly outagePauses = new Set<CancellableDelay>();
  private readonly acks: AckBatch;

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: EventTopology,
    private readonly options: StartConsumerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.slots = new Slots(options.concurrency);
    const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    this.retryDelay = (deliveryCount) => {
      const ms = retryDelayMs(deliveryCount);
      return Number.isFinite(ms) && ms >= 0 ? ms : defaultRetryDelayMs(deliveryCount);
    };
    this.logBase = { consumer: options.consumerName, stream: topology.streamName };
    this.acks = new AckBatch(options.ackTimeoutMs);
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  get inFlight(): number {
    return this.running;
  }

  start(): void {
    this.closed = this.run().catch((err: unknown) => {
      this.logger.error({ ...this.logBase, err }, 'consume loop failed');
    });
  }

  stop(opts: StopOptions = {}): Promise<void> {
    this.stopPromise ??= this.doStop(opts.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS);
    return this.stopPromise;
  }

  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async doStop(deadlineMs: number): Promise<void> {
    this.logger.info({ ...this.logBase, inFlight: this.running }, 'stopping consumer');
    this.stopping = true;
    this.markReady();
    this.slots.abortWaiters();
    this.pause?.cancel();
    for (const pause of this.outagePauses) pause.cancel();
    this.current?.stop();
    const deadline = cancellableDelay(deadlineMs);
    const finished = await Promise.race([
      Promise.all([this.idle(), this.closed]).then(() => true),
      deadline.done.then(() => false),
    ]);
    deadline.cancel();
    if (finished) {
      this.logger.info({ ...this.logBase }, 'consumer stopped');
    } else {
      this.logger.warn(
        { ...this.logBase, inFlight: this.running, eventIds: [...this.runningIds] },
        'stop deadline reached with handlers still running; their messages will be redelivered after the ack wait',
      );
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      const startedAt = Date.now();
      try {
        await this.consumeOnce();
      } catch (err) {
        if (isClosedConnection(err)) {
          this.logger.error({ ...this.logBase, err }, 'NATS connection closed; consumer ends');
          break;
        }
        this.logger.warn(
          { ...this.logBase, err, attempt },
          'consume iterator failed; recreating it',
        );
        if (isMissingTopologyError(err) && this.options.onTopologyMissing && !this.stopping) {
          if (await this.options.onTopologyMissing(err)) attempt = 0;
        }
      }
      if (this.stopping) break;
      if (Date.now() - startedAt > HEALTHY_ITERATOR_MS) attempt = 0;
      this.pause = cancellableDelay(backoffWithJitter(attempt++));
      await this.pause.done;
      this.pause = undefined;
    }
    this.markReady();
  }

  /** One consume iterator, from creation until it ends. */
  private async consumeOnce(): Promise<void> {
    const consumer = await this.js.consumers.get(
      this.topology.streamName,
      this.options.consumerName,
    );
    const info = await consumer.info(true);
    const ackWaitMs = effectiveAckWaitMs(info.config);
    this.maxDeliver =
      info.config.max_deliver && info.config.max_deliver > 0
        ? info.config.max_deliver
        : Number.POSITIVE_INFINITY;
    this.workingIntervalMs =
      this.options.workingIntervalMs ??
      Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(ackWaitMs / 3));
    const maxAckPending = info.config.max_ack_pending ?? 1000;
    if (maxAckPending > 0 && maxAckPending < this.options.concurrency) {
      this.logger.warn(
        { ...this.logBase, maxAckPending, concurrency: this.options.concurrency },
        'max_ack_pending is below the concurrency; fewer handlers will run',
      );
    }
    if (this.stopping) return;
    const messages = await consumer.consume({
      max_messages: this.options.concurrency,
      ...(this.options.pullExpiresMs !== undefined ? { expires: this.options.pullExpiresMs } : {}),
    });
    this.current = messages;
    if (this.stopping) messages.stop();
    void this.watchStatus(messages);
    this.logger.info(
      {
        ...this.logBase,
        concurrency: this.options.concurrency,
        ackWaitMs,
        workingIntervalMs: this.workingIntervalMs,
        maxDeliver: this.maxDeliver,
      },
      'consumer pulling',
    );
    this.markReady();
    try {
      await this.pump(messages);
    } finally {
      this.current = undefined;
      messages.stop();
    }
  }

  /** Takes a message only when a handler slot is free; after stop, hands buffered ones back. */
  private async pump(messages: ConsumerMessages): Promise<void> {
    const iterator = messages[Symbol.asyncIterator]();
    for (;;) {
      let slot = this.stopping ? false : await this.slots.acquire();
      let next: IteratorResult<JsMsg>;
      try {
        next = await iterator.next();
      } catch (err) {
        if (slot) this.slots.release();
        throw err;
      }
      if (next.done) {
        if (slot) this.slots.release();
        return;
      }
      const msg = next.value;
      if (slot && this.stopping) {
        this.slots.release();
        slot = false;
      }
      if (!slot) {
        // Stopping: give the message back at once instead of letting it wait for the ack wait.
        this.safely(() => msg.nak(), { streamSeq: msg.seq }, 'nak');
        continue;
      }
      this.track(msg.seq, 1);
      void this.process(msg)
        .catch((err: unknown) => {
          this.logger.error(
            { ...this.logBase, err, streamSeq: msg.seq },
            'message processing failed',
          );
        })
        .finally(() => {
          this.track(msg.seq, -1);
          this.slots.release();
        });
    }
  }

  private track(seq: number, delta: 1 | -1): void {
    this.running += delta;
    if (delta > 0) this.runningIds.add(`seq:${seq}`);
    else this.runningIds.delete(`seq:${seq}`);
    if (this.running === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const meta: DeliveryMeta = {
      deliveryCount: msg.info.deliveryCount,
      streamSeq: msg.seq,
      subject: msg.subject,
      redelivered: msg.redelivered,
    };
    let event: DomainEvent;
    try {
      event = decodeEvent(msg.data);
      const expected = subjectFor(this.topology, event.type);
      if (expected !== msg.subject) {
        throw new InvalidEventError(`a ${event.type} event does not belong on ${msg.subject}`, [
          `expected subject ${expected}`,
        ]);
      }
    } catch (err) {
      const error =
        err instanceof InvalidEventError
          ? err
          : new InvalidEventError(err instanceof Error ? err.message : String(err));
      await this.rejectInvalid(msg, meta, error);
      return;
    }

    const base = {
      ...this.logBase,
      eventId: event.id,
      eventType: event.type,
      streamSeq: meta.streamSeq,
      deliveryCount: meta.deliveryCount,
    };
    this.runningIds.delete(`seq:${meta.streamSeq}`);
    this.runningIds.add(event.id);
    const stopWorking = this.keepWorking(msg, base);
    const startedAt = Date.now();
    try {
      await this.handleRidingOutOutages(event, meta, base);
    } catch (err) {
      stopWorking();
      this.runningIds.delete(event.id);
      const retryInMs = this.retryDelay(meta.deliveryCount);
      if (meta.deliveryCount >= this.maxDeliver) {
        this.logger.error(
          { ...base, err, maxDeliver: this.maxDeliver },
          'event handler failed on the last allowed delivery; the server will not redeliver it (dead letter via MAX_DELIVERIES advisory)',
        );
      } else {
        this.logger.warn({ ...base, err, retryInMs }, 'event handler failed; will retry');
      }
      this.safely(() => msg.nak(retryInMs), base, 'nak');
      return;
    }
    stopWorking();
    this.runningIds.delete(event.id);
    try {
      await this.acks.confirm(msg);
      this.logger.debug({ ...base, durationMs: Date.now() - startedAt }, 'event handled');
    } catch (err) {
      // The handler's effects are committed; a redelivery is harmless because handlers are idempotent.
      this.logger.warn({ ...base, err }, 'ack not confirmed; the event may be delivered again');
    }
  }

  /**
   * Runs the handler, and runs it again in place while it fails transiently (see
   * `StartConsumerOptions.isTransient`); the caller keeps the message alive meanwhile.
   */
  private async handleRidingOutOutages(
    event: DomainEvent,
    meta: DeliveryMeta,
    base: Record<string, unknown>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.options.handle(event, meta);
        return;
      } catch (err) {
        if (this.stopping || !this.options.isTransient?.(err)) throw err;
        const waitMs = (this.options.transientRetryDelayMs ?? transientRetryDelayMs)(attempt);
        if (attempt === 0 || attempt % 20 === 0) {
          this.logger.warn(
            { ...base, err, waitMs, attempt },
            'a dependency is unavailable; keeping the event and trying again (no delivery spent)',
          );
        }
        const pause = cancellableDelay(waitMs);
        this.outagePauses.add(pause);
        try {
          await pause.done;
        } finally {
          this.outagePauses.delete(pause);
        }
        if (this.stopping) throw err;
      }
    }
  }

  private async rejectInvalid(msg: JsMsg, meta: DeliveryMeta, error: InvalidEventError) {
    const base = {
      ...this.logBase,
      eventId: peekEventId(msg.data),
      subject: meta.subject,
      streamSeq: meta.streamSeq,
      deliveryCount: meta.deliveryCount,
    };
    this.logger.warn({ ...base, err: error }, 'invalid event; dead-lettering it');
    const stopWorking = this.keepWorking(msg, base);
    try {
      await this.options.onInvalid({
        subject: meta.subject,
        streamSeq: meta.streamSeq,
        data: new Uint8Array(msg.data),
        error,
        deliveryCount: meta.deliveryCount,
      });
    } catch (err) {
      stopWorking();
      const retryInMs = this.retryDelay(meta.deliveryCount);
      this.logger.error(
        { ...base, err, retryInMs },
        'could not record the invalid event; it will be delivered again',
      );
      this.safely(() => msg.nak(retryInMs), base, 'nak');
      return;
    }
    stopWorking();
    // A plain +TERM: nats-server 2.9 ignores "+TERM <reason>" entirely and would redeliver.
    this.safely(() => msg.term(), base, 'term');
  }

  private keepWorking(msg: JsMsg, base: Record<string, unknown>): () => void {
    if (!(this.workingIntervalMs > 0)) return () => {};
    const timer = setInterval(() => {
      this.safely(() => msg.working(), base, 'working');
    }, this.workingIntervalMs);
    return () => clearInterval(timer);
  }

  private safely(fn: () => void, base: Record<string, unknown>, what: string): void {
    try {
      fn();
    } catch (err) {
      this.logger.warn({ ...this.logBase, ...base, err }, `could not send ${what}`);
    }
  }

  private async watchStatus(messages: ConsumerMessages): Promise<void> {
    let recreating = false;
    try {
      for await (const s of messages.status()) {
        switch (s.type) {
          case 'heartbeats_missed':
            // nats.js reports from 2 missed heartbeats on, and has already retried itself once.
            this.logger.warn({ ...this.logBase, missed: s.count }, 'consumer heartbeats missed');
            if (!recreating && s.count >= 2 && !this.stopping) {
              recreating = true;
              messages.stop();
            }
            break;
          case 'consumer_deleted':
            this.logger.error(
              { ...this.logBase, description: s.description },
              'consumer was deleted',
            );
            if (!recreating && !this.stopping) {
              recreating = true;
              messages.stop();
            }
            break;
          case 'consumer_not_found':
          case 'stream_not_found':
            // A server restarted on empty storage, or someone deleted it: end this iterator, so the
            // loop finds out which part is missing and has it recreated (onTopologyMissing).
            this.logger.error(
              { ...this.logBase, ...('count' in s ? { count: s.count } : {}) },
              s.type === 'stream_not_found' ? 'stream not found' : 'consumer not found',
            );
            if (!recreating && !this.stopping) {
              recreating = true;
              messages.stop();
            }
            break;
          case 'no_responders':
            this.logger.warn(
              { ...this.logBase, code: s.code },
              'JetStream not responding to pulls',
            );
            break;
          case 'exceeded_limits':
            this.logger.warn(
              { ...this.logBase, code: s.code, description: s.description },
              'pull request exceeded a consumer limit',
            );
            break;
          case 'debug':
            this.logger.debug(
              { ...this.logBase, code: s.code, description: s.description },
              'consumer status',
            );
            break;
          default:
            break;
        }
      }
    } catch (err) {
      this.logger.debug({ ...this.logBase, err }, 'consumer status iterator ended');
    }
  }
}

function isClosedConnection(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof natsErrors.ClosedConnectionError || e.name === 'ClosedConnectionError')
      return true;
  }
  return false;
}

/** The `id` of a message body that failed validation, when there is one, for the log line. */
function peekEventId(data: Uint8Array): string | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length <= 100 ? id : null;
  } catch {
    return null;
  }
}
