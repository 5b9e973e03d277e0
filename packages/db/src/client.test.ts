import { describe, expect, it } from 'vitest';
import {
  readFromPrimaryForThisRequest,
  readsFromPrimary,
  RecentWriters,
  withReadRouting,
} from './client.js';

describe('RecentWriters', () => {
  it('remembers a writer for its window only, per account', () => {
    const writers = new RecentWriters(10_000);
    writers.mark('1', 1_000);
    expect(writers.isRecent('1', 10_999)).toBe(true);
    expect(writers.isRecent('2', 10_999)).toBe(false);
    expect(writers.isRecent('1', 11_000)).toBe(false);
  });

  it('tells whether it marked an account within the last moments (to spare repeated upserts)', () => {
    const writers = new RecentWriters(10_000);
    expect(writers.markedWithin('1', 1_000, 5_000)).toBe(false);
    writers.mark('1', 5_000);
    expect(writers.markedWithin('1', 1_000, 5_999)).toBe(true);
    expect(writers.markedWithin('1', 1_000, 6_000)).toBe(false);
    expect(writers.markedWithin('2', 1_000, 5_500)).toBe(false);
  });
});

describe('read routing', () => {
  it('sends the rest of one request to the primary, and no other request', async () => {
    const seen: boolean[] = [];
    await Promise.all([
      new Promise<void>((resolve) =>
        withReadRouting(async () => {
          readFromPrimaryForThisRequest();
          await new Promise((r) => setTimeout(r, 10));
          seen.push(readsFromPrimary());
          resolve();
        }),
      ),
      new Promise<void>((resolve) =>
        withReadRouting(async () => {
          await new Promise((r) => setTimeout(r, 5));
          seen.push(readsFromPrimary());
          resolve();
        }),
      ),
    ]);
    expect(seen).toEqual([false, true]);
    readFromPrimaryForThisRequest(); // outside a request: nothing to route
    expect(readsFromPrimary()).toBe(false);
  });
});
