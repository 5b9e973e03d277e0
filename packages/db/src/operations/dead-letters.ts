/**
 * Messages a consumer gave up on (reliability R28): invalid payloads (terminated at once) and
 * messages that failed on every allowed delivery. One row per (consumer, stream sequence), so
 * recording the same message twice is harmless.
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { deadLetters } from '../schema/index.js';

export interface DeadLetterInput {
  consumer: string;
  subject: string;
  streamSeq: number;
  /** The raw message body (as text; invalid UTF-8 is replaced). */
  payload: string;
  error: string;
  deliveryCount: number;
}

/** A dead letter as stored. */
export interface DeadLetter extends DeadLetterInput {
  id: string;
  createdAt: Date;
}

/** Stores a dead letter; returns false when this (consumer, stream sequence) was already stored. */
export async function recordDeadLetter(
  database: Database,
  input: DeadLetterInput,
): Promise<boolean> {
  const rows = await database.primary
    .insert(deadLetters)
    .values({
      ...input,
      // PostgreSQL text cannot hold NUL characters.
      payload: input.payload.replaceAll('\u0000', '\ufffd').slice(0, 1_000_000),
      error: input.error.slice(0, 2000),
    })
    .onConflictDoNothing({ target: [deadLetters.consumer, deadLetters.streamSeq] })
    .returning({ id: deadLetters.id });
  return rows.length > 0;
}

export async function listDeadLetters(
  database: Database,
  options: { consumer?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  const query = database.primary.select().from(deadLetters);
  const filtered = options.consumer
    ? query.where(eq(deadLetters.consumer, options.consumer))
    : query;
  return filtered.orderBy(desc(deadLetters.id)).limit(options.limit ?? 100);
}

export async function countDeadLetters(database: Database): Promise<number> {
  const [row] = await database.primary.select({ count: sql<string>`count(*)` }).from(deadLetters);
  return Number(row?.count ?? 0);
}
