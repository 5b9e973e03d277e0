/** A counting semaphore whose waiters can be released empty-handed (on shutdown). */
export class Slots {
  private used = 0;
  private readonly waiters: Array<(granted: boolean) => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('size must be a positive integer');
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves true once a slot is held, or false if {@link abortWaiters} ran first. */
  acquire(): Promise<boolean> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else if (this.used > 0) this.used--;
  }

  /** Resolves every pending `acquire` with false. */
  abortWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}
