/** NATS configuration durations are nanoseconds; everything in this package's API is milliseconds. */
export function msToNanos(ms: number): number {
  return Math.round(ms * 1_000_000);
}

export function nanosToMs(ns: number): number {
  return Math.round(ns / 1_000_000);
}

/** A delay that can be cut short: `cancel()` resolves the promise early. */
export interface CancellableDelay {
  readonly done: Promise<void>;
  cancel(): void;
}

export function cancellableDelay(ms: number): CancellableDelay {
  const { promise: done, resolve } = Promise.withResolvers<void>();
  const timer = setTimeout(resolve, ms);
  const cancel = () => {
    clearTimeout(timer);
    resolve();
  };
  return { done, cancel };
}

/** Exponential backoff with ±25 % jitter: attempt 0 → ~baseMs, doubling, capped at maxMs. */
export function backoffWithJitter(attempt: number, baseMs = 250, maxMs = 30_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}
