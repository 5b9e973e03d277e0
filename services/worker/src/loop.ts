/**
 * A background job that runs, then waits `intervalMs` (or until `wake()`), then runs again. A wake-up
 * during a run makes the next run start right after it, so no notification is lost. Errors are logged
 * and the loop carries on after the interval; `stop()` waits for the current run to finish. With
 * `firstRunAfterMs`, the first run waits that long after `start()` (or until `wake()`).
 */
import type { Logger } from '@murmur/service-kit';
import { cancellableDelay } from '@murmur/events/jetstream';

export interface LoopOptions {
  name: string;
  intervalMs: number;
  firstRunAfterMs?: number;
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
    if (this.options.firstRunAfterMs) await this.sleep(this.options.firstRunAfterMs);
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
      await this.sleep(this.options.intervalMs);
    }
  }

  /** Waits `ms`, or less when woken or stopped. */
  private async sleep(ms: number): Promise<void> {
    const delay = cancellableDelay(ms);
    this.wakeWaiter = delay.cancel;
    await delay.done;
    this.wakeWaiter = undefined;
  }
}
