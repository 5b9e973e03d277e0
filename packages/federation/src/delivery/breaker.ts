/**
 * A circuit breaker per remote host, so one dead server does not slow everyone: after `threshold`
 * failures in a row its circuit opens and deliveries to it are deferred without a request (they
 * hold no connection and no concurrency slot) until the cool-down ends; then one probe request is
 * let through (half-open): a success closes the circuit, a failure opens it again for twice as long
 * (up to `maxCooldownMs`). In memory, per worker process: each process learns on its own within
 * `threshold` requests, and the ledger, not the breaker, is what keeps deliveries.
 */
export interface BreakerPolicy {
  threshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = Object.freeze({
  threshold: 5,
  cooldownMs: 60_000,
  maxCooldownMs: 60 * 60_000,
});

interface HostState {
  failures: number;
  openUntil: number;
  cooldownMs: number;
  probing: boolean;
}

export type BreakerDecision = { allowed: true } | { allowed: false; retryInMs: number };

export class HostCircuitBreakers {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly policy: BreakerPolicy = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a request to `host` may go now; when not, how long until it may. */
  admit(host: string): BreakerDecision {
    const state = this.hosts.get(host);
    if (!state || state.failures < this.policy.threshold) return { allowed: true };
    const wait = state.openUntil - this.now();
    if (wait > 0) return { allowed: false, retryInMs: wait };
    if (state.probing) return { allowed: false, retryInMs: this.policy.cooldownMs };
    state.probing = true;
    return { allowed: true };
  }

  /** How long `host` stays closed to requests, or null when one may be tried; changes nothing. */
  blockedFor(host: string): number | null {
    const state = this.hosts.get(host);
    if (!state || state.failures < this.policy.threshold) return null;
    const wait = state.openUntil - this.now();
    if (wait > 0) return wait;
    return state.probing ? this.policy.cooldownMs : null;
  }

  succeeded(host: string): void {
    this.hosts.delete(host);
  }

  failed(host: string): void {
    const state = this.hosts.get(host) ?? {
      failures: 0,
      openUntil: 0,
      cooldownMs: this.policy.cooldownMs / 2,
      probing: false,
    };
    state.failures += 1;
    if (state.failures >= this.policy.threshold) {
      state.cooldownMs = Math.min(this.policy.maxCooldownMs, state.cooldownMs * 2);
      state.openUntil = this.now() + state.cooldownMs;
      state.probing = false;
    }
    this.hosts.set(host, state);
  }

  /** Hosts whose circuit is open now (metrics). */
  openHosts(): number {
    const now = this.now();
    let open = 0;
    for (const state of this.hosts.values()) {
      if (state.failures >= this.policy.threshold && state.openUntil > now) open += 1;
    }
    return open;
  }
}
