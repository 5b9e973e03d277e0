/**
 * Helpers for integration tests that drive real processes: polling until something is true, and a
 * private nats-server a test may kill, pause and restart without disturbing the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening, natsServerBinary } from './infrastructure.js';
import { freePort } from './net.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await sleep(intervalMs);
  }
}

/** A nats-server of a test's own (JetStream, file store in a temporary directory). */
export class PrivateNatsServer {
  private child: ChildProcess | undefined;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'murmur-nats-'));

  private constructor(readonly port: number) {}

  /** A server on a free port, not started yet. */
  static async create(): Promise<PrivateNatsServer> {
    return new PrivateNatsServer(await freePort());
  }

  static async start(): Promise<PrivateNatsServer> {
    const server = await PrivateNatsServer.create();
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = natsServerBinary();
    if (!binary) throw new Error('nats-server is not installed');
    const child = spawn(
      binary,
      ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
        return isListening('127.0.0.1', this.port);
      },
      { what: 'nats-server to listen' },
    );
  }

  /** SIGKILL, as in a crash; the file store stays for the next start. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
