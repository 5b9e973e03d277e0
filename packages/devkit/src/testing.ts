/**
 * Helpers for integration tests that drive real processes: polling until something is true, and a
 * private nats-server a test may kill, pause and restart without disturbing the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  private readonly storeDir: string;

  protected constructor(
    readonly port: number,
    /** A configuration file (a cluster node's); without one, a standalone server on `port`. */
    private readonly configFile?: string,
    storeDir?: string,
  ) {
    this.storeDir = storeDir ?? mkdtempSync(join(tmpdir(), 'murmur-nats-'));
  }

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

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    const binary = natsServerBinary();
    if (!binary) throw new Error('nats-server is not installed');
    const args = this.configFile
      ? ['-c', this.configFile]
      : ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir];
    const child = spawn(binary, args, { stdio: 'ignore' });
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

  /** Kills the server and deletes its file store, as when a volume is lost: it starts empty. */
  async wipe(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
    mkdirSync(this.storeDir, { recursive: true });
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

/** One node of a {@link PrivateNatsCluster}. */
export class PrivateNatsNode extends PrivateNatsServer {
  constructor(
    readonly name: string,
    port: number,
    /** HTTP monitoring port (`/jsz`, `/healthz`). */
    readonly monitorPort: number,
    configFile: string,
    storeDir: string,
  ) {
    super(port, configFile, storeDir);
  }

  /** The node's `/jsz` (JetStream and meta-cluster state), or null when it does not answer. */
  async jsz(): Promise<JszResponse | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.monitorPort}/jsz`, {
        signal: AbortSignal.timeout(1000),
      });
      return response.ok ? ((await response.json()) as JszResponse) : null;
    } catch {
      return null;
    }
  }
}

interface JszResponse {
  meta_cluster?: {
    leader?: string;
    cluster_size?: number;
    replicas?: { name: string; current: boolean }[];
  };
}

/**
 * A JetStream cluster of a test's own: `size` nats-servers on loopback with free client and route
 * ports, each with its file store in a temporary directory, that a test may kill, wipe and restart
 * one by one or all together. Nodes are named `<cluster>-1`, `<cluster>-2`… (the `server_name` a
 * stream's `cluster.leader` reports).
 */
export class PrivateNatsCluster {
  private constructor(
    readonly name: string,
    readonly nodes: readonly PrivateNatsNode[],
    private readonly directory: string,
  ) {}

  static async start(options: { size?: number } = {}): Promise<PrivateNatsCluster> {
    const size = options.size ?? 3;
    const directory = mkdtempSync(join(tmpdir(), 'murmur-nats-cluster-'));
    const name = `murmur-test-${directory
      .slice(-6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    const ports: { client: number; route: number; monitor: number }[] = [];
    for (let i = 0; i < size; i++) {
      ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
    }
    const nodes = ports.map((port, i) => {
      const nodeName = `${name}-${i + 1}`;
      const storeDir = join(directory, `store-${i + 1}`);
      mkdirSync(storeDir);
      const routes = ports
        .filter((_, j) => j !== i)
        .map((other) => `    nats-route://127.0.0.1:${other.route}`);
      const configFile = join(directory, `${nodeName}.conf`);
      // Like infra/nats/cluster/*.conf, minus sync_interval (Debian's nats-server 2.9 refuses it).
      writeFileSync(
        configFile,
        [
          `server_name: ${nodeName}`,
          `listen: 127.0.0.1:${port.client}`,
          `http: 127.0.0.1:${port.monitor}`,
          `jetstream {`,
          `  store_dir: "${storeDir}"`,
          `  max_file_store: 1GB`,
          `  max_memory_store: 64MB`,
          `}`,
          `cluster {`,
          `  name: ${name}`,
          `  listen: 127.0.0.1:${port.route}`,
          `  routes: [`,
          ...routes,
          `  ]`,
          `}`,
          '',
        ].join('\n'),
      );
      return new PrivateNatsNode(nodeName, port.client, port.monitor, configFile, storeDir);
    });
    const cluster = new PrivateNatsCluster(name, nodes, directory);
    await cluster.startAll();
    return cluster;
  }

  /** Every seed, comma-separated, as operators give NATS_URL. */
  get url(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  node(name: string): PrivateNatsNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in ${this.name}`);
    return node;
  }

  /** Starts the nodes that are down and waits until JetStream has a leader that sees every node. */
  async startAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !n.running).map((n) => n.start()));
    await this.waitUntilFormed();
  }

  /** Resolves when a meta leader exists and every node is a current peer (streams can be placed). */
  async waitUntilFormed(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes) {
          const meta = (await node.jsz())?.meta_cluster;
          if (meta?.leader !== node.name) continue;
          const current = (meta.replicas ?? []).filter((r) => r.current).length;
          return current === this.nodes.length - 1;
        }
        return false;
      },
      { timeoutMs, intervalMs: 200, what: `NATS cluster ${this.name} to form` },
    );
  }

  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }

  /** Every node killed and its storage deleted: the cluster comes back empty on `startAll()`. */
  async wipeAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.wipe()));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.dispose()));
    rmSync(this.directory, { recursive: true, force: true });
  }
}
