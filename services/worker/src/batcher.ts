import { cancellableDelay } from '@murmur/events/jetstream';

export interface BatcherOptions<T = unknown> {
  /** Most items one flush carries. */
  maxBatch: number;
  /**
   * How long a batch may wait for more items before it is flushed (unless it is full). 0: flush as
   * soon as the previous flush is done. Worth it for steps nobody waits for: fewer, larger statements.
   */
  lingerMs?: number;
  /**
   * Flushes that may run at once (default 1). More than one keeps a CPU-bound step busy on several
   * database connections while one batch waits for its commit and acknowledgements; items carry
   * no order between batches.
   */
  flushesAtOnce?: number;
  /**
   * Items that give way to the others (a heavy author's chunks beside everyone's posts): such an
   * item joins a batch only when the other items waiting do not fill it, that is when the flushes
   * keep up, or once it has waited `background.waitsAtMostMs` (so it is never starved). The others
   * then never wait behind it while they are behind.
   */
  background?: { is: (item: T) => boolean; waitsAtMostMs: number };
}

interface Pending<T, R> {
  item: T;
  addedAt: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for handlers: items added while a flush runs wait and go together in the next flush,
 * so N concurrent handlers cost about one round trip instead of N (each statement costs a fixed amount
 * of CPU on both sides, and N transactions would queue on the same row locks). `flush` returns one
 * result per item, in order; each `add()` resolves with its item's result only after the flush that
 * carried it finished (the caller acks after that). When a whole batch fails, its items are retried
 * one by one, so one bad item fails alone and the others go on.
 */
export class Batcher<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private draining = 0;
  /** Ends the linger of every waiting flush (a full batch goes at once). */
  private readonly endLingers = new Set<() => void>();
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly flushesAtOnce: number;
  private readonly background: BatcherOptions<T>['background'];

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    options: BatcherOptions<T>,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError('maxBatch must be a positive integer');
    }
    this.maxBatch = options.maxBatch;
    this.lingerMs = Math.max(0, options.lingerMs ?? 0);
    this.flushesAtOnce = Math.max(1, Math.floor(options.flushesAtOnce ?? 1));
    this.background = options.background;
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, addedAt: Date.now(), resolve, reject });
      if (this.queue.length >= this.maxBatch) for (const end of this.endLingers) end();
      if (this.draining < this.flushesAtOnce) {
        this.draining++;
        // Let the messages that arrived in the same tick join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.lingerForMore();
      const batch = this.take();
      // Another flush took them while this one lingered.
      if (batch.length === 0) continue;
      try {
        const results = await this.flushChecked(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        for (const b of batch) {
          try {
            b.resolve((await this.flushChecked([b.item]))[0]!);
          } catch (single) {
            b.reject(single);
          }
        }
      }
    }
    this.draining--;
  }

  /**
   * The next batch, in queue order: at most `maxBatch` items, background items only when the others
   * leave room for them or when they have waited long enough.
   */
  private take(): Array<Pending<T, R>> {
    const background = this.background;
    if (!background) return this.queue.splice(0, this.maxBatch);
    const others = this.queue.filter((p) => !background.is(p.item)).length;
    const longEnough = Date.now() - background.waitsAtMostMs;
    const batch: Array<Pending<T, R>> = [];
    const left: Array<Pending<T, R>> = [];
    for (const pending of this.queue) {
      const takes =
        batch.length < this.maxBatch &&
        (!background.is(pending.item) || others < this.maxBatch || pending.addedAt <= longEnough);
      (takes ? batch : left).push(pending);
    }
    this.queue = left;
    return batch;
  }

  /** Waits until the oldest queued item has lingered long enough, or the batch is full. */
  private async lingerForMore(): Promise<void> {
    if (this.lingerMs === 0) return;
    const wait = this.queue[0]!.addedAt + this.lingerMs - Date.now();
    if (wait <= 0 || this.queue.length >= this.maxBatch) return;
    const delay = cancellableDelay(wait);
    this.endLingers.add(delay.cancel);
    await delay.done;
    this.endLingers.delete(delay.cancel);
  }

  private async flushChecked(items: T[]): Promise<R[]> {
    const results = await this.flush(items);
    if (results.length !== items.length) {
      throw new Error(`a flush returned ${results.length} results for ${items.length} items`);
    }
    return results;
  }
}
