/** Runs at most `size` tasks at once; the others wait their turn, first come first served. */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('size must be a positive integer');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await task();
    } finally {
      this.next();
    }
  }

  private turn(): Promise<void> {
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the finished task's turn to the next waiting one, if any. */
  private next(): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter();
    else this.running--;
  }
}
