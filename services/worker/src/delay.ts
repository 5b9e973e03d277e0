/**
 * A wait of `ms` that can be cut short: `cut()` resolves `done` at once. The loops and the batcher
 * wait this way so that stopping, a wake-up or a full batch does not sit out the timer.
 */
export function cuttableDelay(ms: number): { done: Promise<void>; cut: () => void } {
  let cut = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cut = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cut };
}
