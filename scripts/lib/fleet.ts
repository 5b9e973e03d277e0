/**
 * The pieces the whole-system checks share (`scripts/many-copies.ts`, `scripts/chaos.ts`): services
 * as child processes, accounts with tokens, posting over HTTP, waiting for the pipeline to be idle,
 * and the end checks from the database and the SMTP sink.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database } from '@murmur/db';
import { computeDailyStatsFromSources, getDailyStats } from '@murmur/db/statistics';
import { issueAccessToken, registerApplication } from '@murmur/db/auth';
import { CONSUMERS } from '../../services/worker/src/consumers.js';
import { createAccountFixture } from '@murmur/db/testing';
import type { ReceivedMail, SmtpSink } from '@murmur/devkit/smtp-sink';
import { sleep } from '@murmur/devkit/testing';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = import.meta.resolve('tsx');

export type Log = (line: string) => void;
export type ServiceName = 'api' | 'worker' | 'frontend';

export interface Service {
  label: string;
  name: ServiceName;
  origin: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** Set when the check stops or kills it on purpose: its exit is not a crash. */
  expectedExit: boolean;
}

/** Services started as child processes, killed when the script ends, and their unexpected exits. */
export class Fleet {
  readonly services = new Set<Service>();
  /** Services that exited without being told to (label and code or signal). */
  readonly crashes: string[] = [];

  constructor(
    private readonly logDir: string,
    private readonly baseEnv: Record<string, string>,
  ) {
    // Children must not outlive the script, whatever ends it.
    process.on('exit', () => {
      for (const service of this.services) service.child.kill('SIGKILL');
    });
  }

  async start(
    name: ServiceName,
    label: string,
    env: Record<string, string>,
    port: number,
  ): Promise<Service> {
    const logFile = join(this.logDir, `${label}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', TSX, 'src/server.ts'],
      {
        cwd: join(root, 'services', name),
        env: {
          PATH: process.env.PATH ?? '',
          PUBLIC_URL: 'http://localhost:3000',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          NODE_ENV: 'development',
          ...this.baseEnv,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const service: Service = {
      label,
      name,
      origin: `http://127.0.0.1:${port}`,
      child,
      exited,
      expectedExit: false,
    };
    this.services.add(service);
    void exited.then(() => {
      this.services.delete(service);
      if (!service.expectedExit) {
        this.crashes.push(
          `${label} exited (${child.signalCode ?? child.exitCode}); see ${logFile}`,
        );
      }
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${label} exited before it was ready; see ${logFile}`);
      try {
        const response = await fetch(`${service.origin}/readyz`, {
          signal: AbortSignal.timeout(1000),
        });
        if (response.ok) return service;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`${label} was not ready within 60 s; see ${logFile}`);
  }

  /** SIGTERM (or `signal`), SIGKILL after 8 s; the exit is expected. */
  async stop(service: Service, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    service.expectedExit = true;
    if (service.child.exitCode !== null || service.child.signalCode !== null) return;
    service.child.kill(signal);
    const timer = setTimeout(() => service.child.kill('SIGKILL'), 8000);
    await service.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.services].map((s) => this.stop(s)));
  }
}

export interface Author {
  id: string;
  username: string;
  email: string;
  token: string;
}

/** `count` accounts with a read/write token each, straight through @murmur/db. */
export async function createAuthors(
  database: Database,
  prefix: string,
  count: number,
): Promise<Author[]> {
  const { application } = await registerApplication(database, {
    name: `${prefix} check`,
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write', 'follow'],
  });
  const authors: Author[] = [];
  for (let i = 0; i < count; i += 1) {
    const account = await createAccountFixture(database, {
      username: `${prefix}_${i}`,
      email: `${prefix}_${i}@example.test`,
    });
    const { accessToken } = await issueAccessToken(database, {
      applicationId: application.id,
      accountId: account.id,
      scopes: ['read', 'write', 'follow'],
    });
    authors.push({
      id: account.id,
      username: account.username,
      email: account.email,
      token: accessToken,
    });
  }
  return authors;
}

/**
 * A request with the author's token, retried (same Idempotency-Key) on 5xx and network failures
 * `attempts` times; resolves to the JSON body of the first success, throws after the last failure.
 */
export async function apiCall<T>(
  apiOrigin: string,
  author: Author,
  path: string,
  options: { body?: unknown; key?: string; requestId?: string; attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${apiOrigin}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${author.token}`,
          'content-type': 'application/json',
          ...(options.key ? { 'idempotency-key': options.key } : {}),
          ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        },
        body: JSON.stringify(options.body ?? {}),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as T & { error?: string };
      if (response.ok) return body;
      if (response.status < 500 || attempt >= attempts)
        throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(body)}`);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
    await sleep(200 * attempt);
  }
}

export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    }),
  );
}

// --- Database checks ---------------------------------------------------------------------------------

export async function count(
  database: Database,
  query: string,
  values: unknown[] = [],
): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(query, values);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The event types each consumer processes: the worker's consumers table itself
 * (`services/worker/src/consumers.ts`), so that a consumer added there is checked here too.
 */
const OWED: ReadonlyMap<string, readonly string[]> = new Map(
  CONSUMERS.map((consumer) => [consumer.name, consumer.handles]),
);

/** How many outbox events of the types `consumer` processes there are. */
function owedEvents(database: Database, consumer: string): Promise<number> {
  return count(database, `select count(*) as n from outbox_events where type = any($1)`, [
    OWED.get(consumer),
  ]);
}

/** Outbox rows not yet published, events each consumer still owes, e-mails not finished. */
export async function backlog(database: Database) {
  const owedBy = async (consumer: string) =>
    [
      consumer,
      await count(
        database,
        `select count(*) as n from outbox_events o where o.type = any($2) and not exists
           (select 1 from processed_events p where p.consumer = $1 and p.event_id = o.id)`,
        [consumer, OWED.get(consumer)],
      ),
    ] as const;
  const [unpublished, owed, emails] = await Promise.all([
    count(database, `select count(*) as n from outbox_events where status <> 'published'`),
    Promise.all([...OWED.keys()].map(owedBy)),
    count(
      database,
      `select count(*) as n from email_deliveries where status in ('pending', 'sending')`,
    ),
  ]);
  return { unpublished, owed: new Map(owed), emails };
}

/** Waits until every expected event is in the outbox and nothing is owed; false after the timeout. */
export async function waitUntilIdle(
  database: Database,
  log: Log,
  options: { expectedEvents?: number; timeoutMs: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const expected = options.expectedEvents ?? 0;
  let last = '';
  while (Date.now() < deadline) {
    try {
      // Posts and mentions: what the callers expect (sign-ins and notifications come with them).
      const events = await count(
        database,
        `select count(*) as n from outbox_events where type in ('PostCreated', 'UserMentioned')`,
      );
      const b = await backlog(database);
      const owed = [...b.owed].filter(([, n]) => n > 0);
      const line = `outbox ${events}${expected ? `/${expected}` : ''} events, unpublished ${b.unpublished}, owed: ${owed.map(([consumer, n]) => `${consumer} ${n}`).join(', ') || 'nothing'}; e-mails in flight ${b.emails}`;
      if (line !== last) log(`waiting: ${line}`);
      last = line;
      if (events >= expected && b.unpublished + owed.length + b.emails === 0) {
        return true;
      }
    } catch (error) {
      log(`waiting: database not answering (${(error as Error).message})`);
    }
    await sleep(500);
  }
  return false;
}

export type Check = (ok: boolean, message: string) => void;

/** Every outbox event processed exactly once by each consumer that owes it. */
export async function checkEventsProcessedOnce(database: Database, check: Check): Promise<void> {
  for (const consumer of OWED.keys()) {
    const owed = await owedEvents(database, consumer);
    const processed = await count(
      database,
      `select count(*) as n from processed_events p join outbox_events o on o.id = p.event_id where p.consumer = $1`,
      [consumer],
    );
    const distinct = await count(
      database,
      `select count(distinct event_id) as n from processed_events where consumer = $1`,
      [consumer],
    );
    const stray = await count(
      database,
      `select count(*) as n from processed_events p where p.consumer = $1 and not exists (select 1 from outbox_events o where o.id = p.event_id)`,
      [consumer],
    );
    check(
      processed === owed && distinct === owed && stray === 0,
      `${consumer}: ${processed} of ${owed} events processed, each once (${stray} unknown)`,
    );
  }
}

/**
 * Exactly one e-mail per mention, by Message-ID, at the right address: the e-mail ledger against what
 * the SMTP sink received. Deliveries left `unknown` by a SIGKILL in the middle of an SMTP conversation
 * are never resent (at most one e-mail): reported, not a violation.
 */
export async function checkEmails(
  database: Database,
  smtp: SmtpSink,
  expectedMentions: number,
  check: Check,
  log: Log,
): Promise<void> {
  const { rows: deliveries } = await database.pool.query<{
    status: string;
    message_id: string;
    email: string;
  }>(
    `select d.status, d.message_id, a.email from email_deliveries d join accounts a on a.id = d.recipient_account_id where d.kind = 'mention'`,
  );
  const byMessageId = new Map<string, ReceivedMail[]>();
  for (const mail of smtp.received) {
    const key = mail.headers['message-id'] ?? '(none)';
    byMessageId.set(key, [...(byMessageId.get(key) ?? []), mail]);
  }
  const duplicateMails = [...byMessageId.values()].filter((m) => m.length > 1).length;
  const known = new Set(deliveries.map((d) => d.message_id));
  const strayMails = smtp.received.filter(
    (m) => !m.headers['message-id'] || !known.has(m.headers['message-id']),
  ).length;
  let missingMails = 0;
  let wrongRecipient = 0;
  let unknownNotReceived = 0;
  for (const delivery of deliveries) {
    const mails = byMessageId.get(delivery.message_id) ?? [];
    if (mails.length === 0) {
      if (delivery.status === 'unknown') unknownNotReceived += 1;
      else missingMails += 1;
    } else if (
      !mails.every((m) => m.envelopeTo.join().toLowerCase() === delivery.email.toLowerCase())
    ) {
      wrongRecipient += 1;
    }
  }
  const statuses = deliveries.reduce<Record<string, number>>((acc, d) => {
    acc[d.status] = (acc[d.status] ?? 0) + 1;
    return acc;
  }, {});
  log(`e-mail ledger: ${JSON.stringify(statuses)}; SMTP sink received ${smtp.received.length}`);
  check(
    deliveries.length === expectedMentions &&
      duplicateMails === 0 &&
      missingMails === 0 &&
      strayMails === 0 &&
      wrongRecipient === 0,
    `${smtp.received.length} e-mails for ${expectedMentions} mentions: ${duplicateMails} duplicated, ${missingMails} missing, ${strayMails} unexpected, ${wrongRecipient} to the wrong address` +
      (unknownNotReceived > 0
        ? ` (${unknownNotReceived} cut off by a SIGKILL mid-conversation, recorded as unknown)`
        : ''),
  );
}

/** Every committed mention (a `mentions` row) has exactly one mention notification. */
export async function checkMentionNotifications(database: Database, check: Check): Promise<number> {
  const mentions = await count(
    database,
    `select count(*) as n from mentions m join statuses s on s.id = m.status_id where m.account_id <> s.account_id`,
  );
  const missing = await count(
    database,
    `select count(*) as n from mentions m join statuses s on s.id = m.status_id
     where m.account_id <> s.account_id and not exists
       (select 1 from notifications n where n.type = 'mention' and n.status_id = m.status_id and n.account_id = m.account_id)`,
  );
  const doubled = await count(
    database,
    `select count(*) as n from (select 1 from notifications where type = 'mention' group by status_id, account_id having count(*) > 1) d`,
  );
  const notifications = await count(
    database,
    `select count(*) as n from notifications where type = 'mention'`,
  );
  check(
    missing === 0 && doubled === 0 && notifications === mentions,
    `${notifications} mention notifications for ${mentions} committed mentions (${missing} missing, ${doubled} doubled)`,
  );
  return mentions;
}

/** The live daily statistics (posts, mentions, active accounts) equal a recount from the tables. */
export async function checkStatisticsRecount(database: Database, check: Check): Promise<void> {
  const { rows } = await database.pool.query<{ day: string }>(
    `select distinct to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day from statuses`,
  );
  for (const { day } of rows) {
    const live = await getDailyStats(database.primary, day);
    const recount = await computeDailyStatsFromSources(database.primary, day);
    const fields = ['posts', 'mentions', 'activeAccounts'] as const;
    const differ = fields.filter((f) => (live?.[f] ?? 0) !== recount[f]);
    check(
      differ.length === 0,
      `statistics of ${day} equal a recount: ${fields.map((f) => `${f} ${live?.[f] ?? 0}/${recount[f]}`).join(', ')}`,
    );
  }
}

// --- Reporting ---------------------------------------------------------------------------------------

/**
 * A script's log (lines prefixed with its name and the time since it started), its checks, and the
 * verdict at the end. Uncaught errors end the script with status 1 (the fleet's children with it).
 */
export class Verdict {
  readonly violations: string[] = [];
  private readonly started = performance.now();

  constructor(private readonly name: string) {
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      process.on(event, (error) => {
        console.error(`[${name}] ${event}:`, error);
        process.exit(1);
      });
    }
  }

  elapsed = (): string => `${((performance.now() - this.started) / 1000).toFixed(1)}s`;

  log: Log = (line) => console.log(`[${this.name} ${this.elapsed().padStart(6)}] ${line}`);

  check: Check = (ok, message) => {
    this.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
    if (!ok) this.violations.push(message);
  };

  /** Logs every violation (or that all checks passed) and returns the exit status. */
  finish(): number {
    if (this.violations.length > 0) {
      this.log(`${this.violations.length} violation(s):`);
      for (const violation of this.violations) this.log(`  - ${violation}`);
    } else {
      this.log('all checks passed');
    }
    this.log(`finished in ${this.elapsed()}`);
    return this.violations.length > 0 ? 1 : 0;
  }
}
