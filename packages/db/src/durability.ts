import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './client.js';

export interface DurabilityReport {
  /** Settings that can lose committed transactions, after which events and emails already went out. */
  problems: string[];
  /** Weaker protections worth fixing (data checksums are off by default before PostgreSQL 18). */
  warnings: string[];
}

/**
 * Reads the server settings the outbox depends on (reliability R35): a transaction acknowledged as
 * committed must survive a crash, because the relay and the mailer act on it.
 */
export async function checkDurabilitySettings(database: Database): Promise<DurabilityReport> {
  const rows = await queryRows<{ name: string; setting: string }>(
    database.primary,
    sql`select name, setting from pg_settings
        where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'data_checksums')`,
  );
  const settings = new Map(rows.map((r) => [r.name, r.setting]));
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const name of ['fsync', 'full_page_writes'] as const) {
    if (settings.get(name) !== 'on') {
      problems.push(
        `PostgreSQL ${name} is ${settings.get(name)}: a crash can corrupt or lose data`,
      );
    }
  }
  if (settings.get('synchronous_commit') === 'off') {
    problems.push(
      'PostgreSQL synchronous_commit is off: transactions reported as committed can be lost in a crash',
    );
  }
  if (settings.get('data_checksums') !== 'on') {
    warnings.push(
      'PostgreSQL data checksums are off: silent corruption on disk would go unnoticed',
    );
  }
  return { problems, warnings };
}
