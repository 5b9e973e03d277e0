/**
 * Per-file test databases. The migrations are applied once into a template database whose name is
 * derived from the migration files' contents; each test file clones it (CREATE DATABASE ... TEMPLATE),
 * which takes milliseconds, so files run in parallel and never see each other's data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database, type DatabaseConfig } from '../client.js';
import { createDatabaseIfMissing, MIGRATIONS_FOLDER, migrateDatabase } from '../migrate.js';

export { createAccountFixture, createStatusFixture, FIXTURE_PASSWORD } from './fixtures.js';
export { remoteAccountFixture, remoteStatusFixture } from './remote-fixtures.js';
export { deliverNotifications, outboxEvents } from './events.js';
export { runOutPoll } from './polls.js';
export { applyPendingFeedEvents } from './home-feeds.js';
export { recordPendingDirectMessages } from './conversations.js';

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server tests run against: TEST_DATABASE_URL (any database on it) or the local server. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
}

function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  const files = readdirSync(MIGRATIONS_FOLDER, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.sql') || f.endsWith('.json'))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  return hash.digest('hex').slice(0, 12);
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabaseName(testServerUrl(), 'postgres') });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate',
    [name],
  );
  return (rowCount ?? 0) > 0;
}

/** Makes sure the migrated template exists; concurrent test processes wait on an advisory lock. */
async function ensureTemplate(): Promise<string> {
  const name = `murmur_template_${migrationsFingerprint()}`;
  await withAdminClient(async (client) => {
    if (await databaseExists(client, name)) return;
    await client.query('SELECT pg_advisory_lock(48151623)');
    try {
      if (await databaseExists(client, name)) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrateDatabase(withDatabaseName(testServerUrl(), building));
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(48151623)');
    }
  });
  return name;
}

export interface TestDatabase {
  /** Connection URL of this file's own database. */
  readonly url: string;
  readonly database: Database;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

/** A fresh, migrated, empty database for one test file. */
export async function createTestDatabase(
  options: Partial<Omit<DatabaseConfig, 'url'>> = {},
): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = `murmur_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Two clones of one template at the same instant can collide ("being accessed by other users").
        if (attempt >= 20 || (error as { code?: string }).code !== '55006') throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  });
  const url = withDatabaseName(testServerUrl(), name);
  const database = createDatabase({ url, poolSize: 5, ...options });
  return {
    url,
    database,
    async destroy() {
      await database.close();
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

/**
 * Registers beforeAll/afterAll hooks that give the calling test file its own database, and returns a
 * handle whose `database` and `url` are available inside tests.
 */
export function useTestDatabase(options: Partial<Omit<DatabaseConfig, 'url'>> = {}): {
  readonly database: Database;
  readonly url: string;
} {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(options);
  });
  afterAll(async () => {
    await current?.destroy();
  });
  const require = () => {
    if (!current) throw new Error('the test database exists only inside tests and hooks');
    return current;
  };
  return {
    get database() {
      return require().database;
    },
    get url() {
      return require().url;
    },
  };
}

/**
 * The prepared statements whose text contains `fragment`, with how often each ran on a generic
 * plan and on a plan made for its values (`pg_prepared_statements`, per connection: give it a
 * database of one connection).
 */
export async function preparedPlans(
  database: Database,
  fragment: string,
): Promise<{ generic: number; custom: number }[]> {
  const { rows } = await database.pool.query<{ generic: number; custom: number }>(
    `select generic_plans::int as generic, custom_plans::int as custom
       from pg_prepared_statements where statement like $1`,
    [`%${fragment}%`],
  );
  return rows;
}

/** Statements a process sends on timers of its own, whatever request is running (not its cost). */
const BACKGROUND_STATEMENTS = [/rate_limit_counters/];

/**
 * Runs `work` and counts the statements it sent to the database's primary pool: round trips are most
 * of the cost of a read, so tests pin how many each operation takes. The shared rate limiter's
 * once-a-second sync is not counted: it runs on its own timer and would land in a request's count
 * whenever the second turns during it.
 */
export async function countStatements<T>(
  database: Database,
  work: () => Promise<T>,
): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const original = database.pool.query.bind(database.pool);
  database.pool.query = ((...args: Parameters<typeof original>) => {
    const [query] = args as unknown[];
    const text = typeof query === 'string' ? query : (query as { text?: string } | null)?.text;
    if (!BACKGROUND_STATEMENTS.some((pattern) => pattern.test(text ?? ''))) statements++;
    return original(...args);
  }) as typeof database.pool.query;
  try {
    return { result: await work(), statements };
  } finally {
    database.pool.query = original as typeof database.pool.query;
  }
}

/**
 * The `murmur` database on a server of the test's own (a private cluster it may restart), created
 * and migrated. `destroy()` closes the pool; the server is the test's to stop.
 */
export async function createDatabaseOnServer(
  serverUrl: string,
  options: Partial<Omit<DatabaseConfig, 'url'>> = {},
): Promise<TestDatabase> {
  const url = withDatabaseName(serverUrl, 'murmur');
  await createDatabaseIfMissing(url);
  await migrateDatabase(url);
  const database = createDatabase({ url, poolSize: 5, ...options });
  return {
    url,
    database,
    destroy: () => database.close(),
  };
}
