/**
 * A background job that runs, then waits `intervalMs` (or until `wake()`), then runs again. A wake-up
 * during a run makes the next run start right after it, so no notification is lost. Errors are logged
 * and the loop carries on after the interval; `stop()` waits for the current run to finish.
 */
import type { Logger } from '@murmur/service-kit';

export interface LoopOptions {
  name: string;
  intervalMs: number;
  logger: Logger;
  run: () => Promise<unknown>;
}

export class Loop {
  private running = false;
  private stopped = false;
  private woken = false;
  private wakeWaiter: (() => void) | undefined;
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly options: LoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.finished = this.runForever();
  }

  /** Run again as soon as possible. */
  wake(): void {
    this.woken = true;
    this.wakeWaiter?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeWaiter?.();
    await this.finished;
    this.running = false;
  }

  private async runForever(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      try {
        await this.options.run();
      } catch (err) {
        this.options.logger.warn(
          { err, job: this.options.name },
          `${this.options.name} failed; retrying after the interval`,
        );
      }
      if (this.stopped) break;
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalMs);
        this.wakeWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeWaiter = undefined;
    }
  }
}
