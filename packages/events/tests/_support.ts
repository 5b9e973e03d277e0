/** Shared helpers for the integration tests (not a test file: no `.test.ts`). */
import { natsServerBinary as findNatsServer } from '@murmur/devkit/infrastructure';
import type { LoggerLike } from '../src/jetstream/index.js';

export { freePort } from '@murmur/devkit/net';
export { PrivateNatsServer, sleep, waitFor } from '@murmur/devkit/testing';

/** Where nats-server is installed, if it is: the outage tests start servers of their own. */
export const natsServerBinary = findNatsServer();

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger that keeps every line, for assertions. */
export function recordingLogger(): LoggerLike & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: Record<string, unknown>, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
