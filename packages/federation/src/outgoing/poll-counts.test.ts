import { describe, expect, it } from 'vitest';
import { POLL_COUNTS_WINDOW_MS, pollCountsLedgerKey } from './poll-counts.js';

describe('the ledger key of a poll’s counts', () => {
  const start = new Date(
    Math.ceil(Date.UTC(2026, 0, 1) / POLL_COUNTS_WINDOW_MS) * POLL_COUNTS_WINDOW_MS,
  );
  const later = (ms: number) => new Date(start.getTime() + ms);

  it('is one key for every vote of a window, so a busy poll sends one Update per window', () => {
    const keys = [0, 1, 60_000, POLL_COUNTS_WINDOW_MS - 1].map((ms) =>
      pollCountsLedgerKey('123', later(ms)),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('changes with the window and with the poll', () => {
    const key = pollCountsLedgerKey('123', start);
    expect(pollCountsLedgerKey('123', later(POLL_COUNTS_WINDOW_MS))).not.toBe(key);
    expect(pollCountsLedgerKey('124', start)).not.toBe(key);
  });
});
