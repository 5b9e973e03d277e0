/**
 * Keeps the stream and the consumers a process owns in existence (self-healing).
 *
 * JetStream state can vanish under a running worker: a server restarted on an empty volume, a whole
 * cluster rebuilt, a consumer deleted by hand. The client then hears "stream not found", "consumer not
 * found" or "no responders" (which nats.js reports as "JetStream not enabled") for ever, and nothing
 * is delivered until someone restarts the process. A keeper turns those errors into a re-run of the
 * owner's own `ensure` (create or update with the settings it declares), shared by every caller that
 * noticed at the same time and spaced out while JetStream is still unavailable, and says when the
 * stream itself had to be created, so the owner can republish what the lost stream held.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { errors as natsErrors, RequestError } from '@nats-io/transport-node';
import { JetStreamConfigError } from './errors.js';
import { silentLogger, type LoggerLike } from './logger.js';
import { backoffWithJitter, cancellableDelay } from './time.js';

const MISSING_CODES = new Set<number>([
  JetStreamApiCodes.StreamNotFound,
  JetStreamApiCodes.ConsumerNotFound,
  JetStreamApiCodes.JetStreamNotEnabledForAccount,
  10076, // JetStream not enabled (on this server)
]);
const MISSING_NAMES = new Set([
  'StreamNotFoundError',
  'ConsumerNotFoundError',
  'JetStreamNotEnabled',
  'NoRespondersError',
]);

/**
 * True for the errors that mean "the stream or consumer is not there" — not found, or nobody
 * answering the JetStream API or a publish (no stream captures the subject, or JetStream is not
 * enabled yet on a server that just started). Re-ensuring the topology is the remedy worth trying.
 */
export function isMissingTopologyError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof JetStreamApiError && MISSING_CODES.has(e.code)) return true;
    if (e instanceof natsErrors.NoRespondersError) return true;
    if (e instanceof RequestError && e.isNoResponders()) return true;
    if (MISSING_NAMES.has(e.name)) return true;
  }
  return false;
}

export interface TopologyKeeperOptions {
  nc: NatsConnection;
  streamName: string;
  /** Creates or updates the stream and every consumer the owner declares, and verifies them. */
  ensure: (jsm: JetStreamManager) => Promise<void>;
  logger?: LoggerLike;
  /**
   * Called after `ensure` had to create the stream (first start on a new server or cluster, or the
   * stream was lost): the events it held are gone and must be published again from the outbox.
   */
  onStreamCreated?: () => void;
  /** After a failed heal, later requests within this time share its failure. Default 1 s. */
  retryAfterMs?: number;
}

export class TopologyKeeper {
  private readonly logger: LoggerLike;
  private inFlight: Promise<boolean> | undefined;
  private lastFailureAt = 0;
  private heals = 0;

  constructor(private readonly options: TopologyKeeperOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** How many heals succeeded (the topology was ensured after an error suggested it was missing). */
  get healed(): number {
    return this.heals;
  }

  /** Ensures the topology now; throws what `ensure` throws (a start-up uses it). */
  async ensure(): Promise<void> {
    const jsm = await jetstreamManager(this.options.nc);
    const existed = await streamExists(jsm, this.options.streamName);
    await this.options.ensure(jsm);
    if (!existed) {
      this.logger.info({ stream: this.options.streamName }, 'stream created');
      this.options.onStreamCreated?.();
    }
  }

  /**
   * `ensure()`, retried with backoff while JetStream is not ready (a cluster still electing its
   * leader, "no suitable peers" while nodes join) for up to `timeoutMs`. A configuration the server
   * has and this code refuses ({@link JetStreamConfigError}) is thrown at once.
   */
  async ensureWhenAvailable(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ensure();
      } catch (err) {
        if (err instanceof JetStreamConfigError || Date.now() > deadline) throw err;
        this.logger.warn(
          { stream: this.options.streamName, err, attempt },
          'JetStream not ready for the topology yet; retrying',
        );
        await cancellableDelay(backoffWithJitter(attempt, 250, 5_000)).done;
      }
    }
  }

  /**
   * Re-ensures the topology after `err` suggested part of it is missing. Concurrent callers share one
   * attempt; never throws. Resolves true when the topology is in place afterwards.
   */
  heal(reason: string, err?: unknown): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastFailureAt < (this.options.retryAfterMs ?? 1000)) {
      return Promise.resolve(false);
    }
    this.inFlight = (async () => {
      this.logger.warn(
        { stream: this.options.streamName, reason, err },
        'JetStream topology missing or unreachable; recreating it',
      );
      try {
        await this.ensure();
        this.heals += 1;
        this.logger.info({ stream: this.options.streamName, reason }, 'JetStream topology ensured');
        return true;
      } catch (failure) {
        this.lastFailureAt = Date.now();
        this.logger.warn(
          { stream: this.options.streamName, reason, err: failure },
          'could not recreate the JetStream topology yet; will try again',
        );
        return false;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

async function streamExists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      return false;
    }
    throw err;
  }
}
