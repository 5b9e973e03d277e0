import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const middle = () => 0.5; // no jitter

  it('doubles from a minute, capped at 12 hours, and gives up after 16 attempts', () => {
    expect(retryDelayMs(1, DEFAULT_BACKOFF, middle)).toBe(60_000);
    expect(retryDelayMs(2, DEFAULT_BACKOFF, middle)).toBe(120_000);
    expect(retryDelayMs(5, DEFAULT_BACKOFF, middle)).toBe(16 * 60_000);
    expect(retryDelayMs(15, DEFAULT_BACKOFF, middle)).toBe(12 * 60 * 60_000);
    expect(retryDelayMs(16, DEFAULT_BACKOFF, middle)).toBeNull();
    let total = 0;
    for (let attempt = 1; attempt < 16; attempt++)
      total += retryDelayMs(attempt, DEFAULT_BACKOFF, middle)!;
    // A server down for days still gets what it missed.
    expect(total / (24 * 60 * 60_000)).toBeGreaterThan(3);
  });

  it('spreads retries by ±25% so a host’s backlog does not return all at once', () => {
    expect(retryDelayMs(3, DEFAULT_BACKOFF, () => 0)).toBe(180_000);
    expect(retryDelayMs(3, DEFAULT_BACKOFF, () => 1)).toBe(300_000);
  });
});
