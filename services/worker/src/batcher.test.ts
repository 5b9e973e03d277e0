import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('flushes items added together in one batch, up to the maximum, and gives each caller its own result', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number, string>(
      async (items) => {
        flushed.push(items);
        return items.map((n) => `result ${n}`);
      },
      { maxBatch: 3 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    expect(flushed).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(results).toEqual(['result 1', 'result 2', 'result 3', 'result 4', 'result 5']);
  });

  it('collects the items added while a flush runs into the next flush', async () => {
    const flushed: number[][] = [];
    let releaseFirst: () => void = () => {};
    const firstFlushHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const batcher = new Batcher<number, number>(
      async (items) => {
        flushed.push(items);
        if (flushed.length === 1) await firstFlushHeld;
        return items;
      },
      { maxBatch: 10 },
    );
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batcher.add(n));
    releaseFirst();
    await Promise.all([first, ...later]);
    expect(flushed).toEqual([[1], [2, 3, 4]]);
  });

  it('with flushesAtOnce, starts the next batch while a flush runs, never more at once than allowed', async () => {
    const flushed: number[][] = [];
    let running = 0;
    let mostAtOnce = 0;
    const releases: Array<() => void> = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        flushed.push(items);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return items;
      },
      { maxBatch: 10, flushesAtOnce: 2 },
    );
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const first = batcher.add(1);
    await tick();
    const second = batcher.add(2);
    await tick();
    const rest = [3, 4].map((n) => batcher.add(n));
    await tick();
    // Items 1 and 2 are in flight at once; 3 and 4 wait for a free flush.
    expect(flushed).toEqual([[1], [2]]);
    while (releases.length > 0 || flushed.length < 3) {
      releases.shift()?.();
      await tick();
    }
    await Promise.all([first, second, ...rest]);
    expect(flushed).toEqual([[1], [2], [3, 4]]);
    expect(mostAtOnce).toBe(2);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const done: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (items.includes(2)) throw new Error('bad item');
        done.push(...items);
        return items.map((n) => n * 10);
      },
      { maxBatch: 10 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad item') },
      { status: 'fulfilled', value: 30 },
    ]);
    expect(done.sort()).toEqual([1, 3]);
  });

  it('fails the callers when a flush does not give one result per item', async () => {
    const batcher = new Batcher<number, number>(async () => [], { maxBatch: 10 });
    await expect(batcher.add(1)).rejects.toThrow('0 results for 1 items');
  });

  it('with a linger, lets a batch wait for the items of the next ticks', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        flushed.push(items);
        return items;
      },
      { maxBatch: 10, lingerMs: 50 },
    );
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, batcher.add(2)]);
    expect(flushed).toEqual([[1, 2]]);
  });

  it('flushes a full batch without waiting for the rest of its linger', async () => {
    const batcher = new Batcher<number, number>(async (items) => items, {
      maxBatch: 3,
      lingerMs: 60_000,
    });
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await Promise.all([first, batcher.add(2), batcher.add(3)])).toEqual([1, 2, 3]);
  });
});

describe('Batcher with background items', () => {
  const recording = (flushed: string[][]) => async (items: string[]) => {
    flushed.push(items);
    return items;
  };
  const isBackground = (item: string) => item.startsWith('chunk');

  it('lets the other items go first while they fill the batches, then flushes the background item', async () => {
    const flushed: string[][] = [];
    const batcher = new Batcher(recording(flushed), {
      maxBatch: 2,
      background: { is: isBackground, waitsAtMostMs: 60_000 },
    });
    await Promise.all(['chunk', 'a', 'b', 'c', 'd'].map((item) => batcher.add(item)));
    expect(flushed).toEqual([['a', 'b'], ['c', 'd'], ['chunk']]);
  });

  it('takes a background item in queue order when the others leave room for it', async () => {
    const flushed: string[][] = [];
    const batcher = new Batcher(recording(flushed), {
      maxBatch: 3,
      background: { is: isBackground, waitsAtMostMs: 60_000 },
    });
    await Promise.all(['a', 'chunk', 'b'].map((item) => batcher.add(item)));
    expect(flushed).toEqual([['a', 'chunk', 'b']]);
  });

  it('never starves a background item that has waited long enough', async () => {
    const flushed: string[][] = [];
    const batcher = new Batcher(recording(flushed), {
      maxBatch: 2,
      background: { is: isBackground, waitsAtMostMs: 0 },
    });
    await Promise.all(['chunk', 'a', 'b', 'c', 'd'].map((item) => batcher.add(item)));
    expect(flushed).toEqual([['chunk', 'a'], ['b', 'c'], ['d']]);
  });
});
