/**
 * Sends claimed deliveries (rows of the `federation_deliveries` ledger) and decides what becomes
 * of each: delivered, failed for good, retried after a back-off, or deferred while its host's
 * circuit is open. Bounded: at most `concurrency` requests at once, at most `perHostConcurrency`
 * to one host, so a slow server holds a few slots for at most the fetch's timeout each, never all.
 * A deferred delivery makes no request and holds no slot.
 */
import type { ClaimedFederationDelivery, FederationDeliveryOutcome } from '@murmur/db/federation';
import { Limiter } from '@murmur/service-kit';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.js';
import { HostCircuitBreakers } from './breaker.js';
import { postActivity, type SigningIdentity } from './post-activity.js';

/** Requests at once per process, and to one host: enough to keep up, few enough to be polite. */
export const DEFAULT_DELIVERY_CONCURRENCY = 32;
export const DEFAULT_PER_HOST_CONCURRENCY = 4;

export type DeliveryJob = Pick<
  ClaimedFederationDelivery,
  'id' | 'inboxUrl' | 'host' | 'senderAccountId' | 'senderUsername' | 'activity' | 'attempts'
>;

export interface DelivererOptions {
  /** The safe fetch (`@murmur/outbound`), with its timeout. */
  fetch: typeof globalThis.fetch;
  /** The sender's signing key (its RSA pair and `#main-key` id). */
  signingIdentity: (job: DeliveryJob) => Promise<SigningIdentity>;
  concurrency: number;
  perHostConcurrency: number;
  backoff?: BackoffPolicy;
  breakers?: HostCircuitBreakers;
  /** Called with each outcome (metrics, logs). */
  onOutcome?: (job: DeliveryJob, outcome: FederationDeliveryOutcome) => void;
}

export class Deliverer {
  private readonly everyHost: Limiter;
  private readonly perHost = new Map<string, { limiter: Limiter; users: number }>();
  readonly breakers: HostCircuitBreakers;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: DelivererOptions) {
    this.everyHost = new Limiter(options.concurrency);
    this.breakers = options.breakers ?? new HostCircuitBreakers();
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** Every job side by side (bounded as above); the outcomes in the same order. */
  deliverAll(jobs: readonly DeliveryJob[]): Promise<FederationDeliveryOutcome[]> {
    return Promise.all(jobs.map((job) => this.deliver(job)));
  }

  async deliver(job: DeliveryJob): Promise<FederationDeliveryOutcome> {
    const outcome = await this.attempt(job);
    this.options.onOutcome?.(job, outcome);
    return outcome;
  }

  private async attempt(job: DeliveryJob): Promise<FederationDeliveryOutcome> {
    const body = JSON.stringify(job.activity);
    const identity = await this.options.signingIdentity(job);
    const result = await this.atHost(job.host, async () => {
      // Asked again once a slot is free: the circuit may have opened while this job waited.
      const admitted = this.breakers.admit(job.host);
      if (!admitted.allowed) return admitted;
      return postActivity(this.options.fetch, identity, job.inboxUrl, body);
    });
    if ('allowed' in result) {
      return { id: job.id, result: 'deferred', retryInMs: result.retryInMs, error: null };
    }
    if (result.kind === 'delivered') {
      this.breakers.succeeded(job.host);
      return { id: job.id, result: 'delivered', error: null };
    }
    if (result.kind === 'refused') {
      // The server answered: it is alive, whatever it thinks of this activity.
      this.breakers.succeeded(job.host);
      return { id: job.id, result: 'failed', error: result.error };
    }
    this.breakers.failed(job.host);
    const delay = retryDelayMs(job.attempts + 1, this.backoff);
    return delay === null
      ? { id: job.id, result: 'failed', error: `${result.error} (retries spent)` }
      : { id: job.id, result: 'retry', retryInMs: delay, error: result.error };
  }

  private async atHost<T>(host: string, task: () => Promise<T>): Promise<T> {
    // Refused at once while the circuit is open: no slot is taken for a dead host.
    const wait = this.breakers.blockedFor(host);
    if (wait !== null) return { allowed: false, retryInMs: wait } as T;
    let entry = this.perHost.get(host);
    if (!entry) {
      entry = { limiter: new Limiter(this.options.perHostConcurrency), users: 0 };
      this.perHost.set(host, entry);
    }
    entry.users += 1;
    try {
      return await entry.limiter.run(() => this.everyHost.run(task));
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.perHost.delete(host);
    }
  }
}
