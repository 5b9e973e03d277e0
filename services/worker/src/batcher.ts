/**
 * Group commit for handlers: items added while a flush runs wait and go together in the next flush,
 * so N concurrent handlers cost about one round trip instead of N queued on the same row lock. Each
 * `add()` resolves only after the flush that carried its item finished (the caller acks after that).
 * When a whole batch fails, its items are retried one by one, so one bad item fails alone.
 */
export class Batcher<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the messages that arrived in the same tick join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.flush(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        for (const b of batch) {
          try {
            await this.flush([b.item]);
            b.resolve();
          } catch (single) {
            b.reject(single);
          }
        }
      }
    }
    this.flushing = false;
  }
}
