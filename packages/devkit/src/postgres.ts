/**
 * A PostgreSQL cluster of a test's own (Debian's initdb and pg_ctl, a temporary data directory, a free
 * port on loopback), which the test may stop and restart without disturbing the shared server every
 * other test uses — and a streaming replica of it made with pg_basebackup.
 *
 * initdb refuses to run as root: as root, every command runs as the `postgres` OS user (runuser), and
 * the directories are handed to it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

/** Debian's server binaries (the newest installed version). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest ? join(root, newest, 'bin') : undefined;
}

const POSTGRES_USER = 'postgres';

function ownerIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export interface PrivatePostgresOptions {
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
}

export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly settings: Record<string, string>,
  ) {}

  /** A new cluster (initdb, trust authentication on loopback), started. */
  static async start(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const server = new PrivatePostgres(await freePort(), makeDirectory(), options.settings ?? {});
    await server.run('initdb', [
      '-D',
      server.dataDir,
      '-U',
      POSTGRES_USER,
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    await server.start();
    return server;
  }

  /**
   * A streaming replica of this server (pg_basebackup -R: a standby that follows the primary's WAL),
   * started on a port of its own.
   */
  async startReplica(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const replica = new PrivatePostgres(await freePort(), makeDirectory(), {
      ...this.settings,
      ...options.settings,
    });
    await replica.run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      POSTGRES_USER,
      '-D',
      replica.dataDir,
      '-R',
      '-X',
      'stream',
      // Checkpoint at once, instead of waiting for the next scheduled one (minutes).
      '--checkpoint=fast',
      '--no-sync',
    ]);
    await replica.start();
    return replica;
  }

  private get dataDir(): string {
    return join(this.directory, 'data');
  }

  /** The URL of `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://${POSTGRES_USER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.directory}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=60',
      ...Object.entries(this.settings).map(([name, value]) => `-c ${name}=${value}`),
    ].join(' ');
    await this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.directory, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /**
   * Stops the server: `fast` ends every session and shuts down cleanly, `immediate` is a crash (the
   * next start recovers from the WAL).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** Stops the server, leaves it down for `downMs`, starts it again; says when it went and came back. */
  async restart(
    downMs: number,
    mode: 'fast' | 'immediate' = 'fast',
  ): Promise<{ downAt: number; upAt: number }> {
    const downAt = Date.now();
    await this.stop(mode);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
    return { downAt, upAt: Date.now() };
  }

  async running(): Promise<boolean> {
    return (await this.spawn('pg_ctl', ['-D', this.dataDir, 'status'])).status === 0;
  }

  /** The server's log so far (for a failing test's message). */
  log(): string {
    try {
      return execFileSync('tail', ['-n', '40', join(this.directory, 'server.log')], {
        encoding: 'utf8',
      });
    } catch {
      return '';
    }
  }

  async dispose(): Promise<void> {
    if (await this.running()) await this.stop('immediate');
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async run(command: string, args: string[]): Promise<void> {
    const result = await this.spawn(command, args);
    if (result.status !== 0) {
      throw new Error(
        `${command} failed (${result.status}): ${result.stderr || result.stdout}\n${this.log()}`,
      );
    }
  }

  /** Runs a server binary without blocking the event loop (a test keeps its load running meanwhile). */
  private spawn(
    command: string,
    args: string[],
  ): Promise<{ status: number; stdout: string; stderr: string }> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries are not installed (/usr/lib/postgresql)');
    const binary = join(bin, command);
    const asOwner = ownerIds() ? ['runuser', ['-u', POSTGRES_USER, '--', binary, ...args]] : null;
    const [file, argv] = (asOwner ?? [binary, args]) as [string, string[]];
    return new Promise((resolve) => {
      execFile(
        file,
        argv,
        { encoding: 'utf8', cwd: this.directory, timeout: 90_000 },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve({ status: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
        },
      );
    });
  }
}

function makeDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'murmur-pg-'));
  const owner = ownerIds();
  if (owner) chownSync(directory, owner.uid, owner.gid);
  chmodSync(directory, 0o700);
  return directory;
}
