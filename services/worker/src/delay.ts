/**
 * A wait of `ms` that can be cut short: `cut()` resolves `done` at once. The loops and the batcher
 * wait this way so that stopping, a wake-up or a full batch does not sit out the timer.
 */
export function cuttableDelay(ms: number): { done: Promise<void>; cut: () => void } {
  const { promise: done, resolve } = Promise.withResolvers<void>();
  const timer = setTimeout(resolve, ms);
  const cut = () => {
    clearTimeout(timer);
    resolve();
  };
  return { done, cut };
}
