/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits: 0 when it finished within the deadline, 1
 * otherwise. A second signal exits at once.
 */
export function onShutdownSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  options: { deadlineMs?: number; log?: (message: string) => void } = {},
): void {
  const deadlineMs = options.deadlineMs ?? 15_000;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.log?.(`received ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    options.log?.(`received ${signal}, shutting down`);
    const timer = setTimeout(() => {
      options.log?.(`shutdown took longer than ${deadlineMs} ms, exiting`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        options.log?.(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
