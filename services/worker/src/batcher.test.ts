import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('flushes items added together in one batch, up to the maximum, and resolves after the flush', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number>(async (items) => {
      flushed.push(items);
    }, 3);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    expect(flushed).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const done: number[] = [];
    const batcher = new Batcher<number>(async (items) => {
      if (items.includes(2)) throw new Error('bad item');
      done.push(...items);
    }, 10);
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(done.sort()).toEqual([1, 3]);
  });
});
