/**
 * When to try a failed delivery again: exponential back-off with jitter, so a server that was down
 * for a day still gets what it missed, and thousands of deliveries to it do not all return at the
 * same second. With the defaults: 1 min, 2, 4, … capped at 12 h, 16 attempts, about 4 days in all
 * (Mastodon retries for about as long).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  baseMs: 60_000,
  maxMs: 12 * 60 * 60_000,
  maxAttempts: 16,
});

/** The wait after the `attempts`-th failed attempt (1 for the first), or null: give up. */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const exponential = policy.baseMs * 2 ** Math.max(0, attempts - 1);
  return Math.round(Math.min(policy.maxMs, exponential) * (0.75 + random() * 0.5));
}
