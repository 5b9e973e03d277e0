/**
 * Vitest global setup: runs once in the parent process before any test file. It only makes sure the
 * servers are up; each test file then creates its own database and its own NATS stream.
 */
import {
  DEFAULT_ADMIN_DATABASE_URL,
  DEFAULT_NATS_URL,
  ensureNats,
  ensurePostgres,
} from './infrastructure.js';

export default async function setup() {
  const log = (line: string) => console.log(`[test infrastructure] ${line}`);
  await ensurePostgres(process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_DATABASE_URL, log);
  await ensureNats(process.env.TEST_NATS_URL ?? DEFAULT_NATS_URL, log);
}
