import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { DomainError } from '../errors.js';
import { markers } from '../schema/index.js';
import { isSnowflakeId } from '../ids.js';

export const MARKER_TIMELINES = ['home', 'notifications'] as const;
export type MarkerTimeline = (typeof MARKER_TIMELINES)[number];

export interface MarkerView {
  timeline: MarkerTimeline;
  lastReadId: string;
  version: number;
  updatedAt: Date;
}

function isMarkerTimeline(value: string): value is MarkerTimeline {
  return (MARKER_TIMELINES as readonly string[]).includes(value);
}

/** The account's markers for the timelines asked for (unknown names are ignored). */
export async function getMarkers(
  executor: Executor,
  accountId: string,
  timelines: readonly string[],
): Promise<MarkerView[]> {
  const wanted = timelines.filter(isMarkerTimeline);
  if (wanted.length === 0) return [];
  const rows = await executor
    .select()
    .from(markers)
    .where(and(eq(markers.accountId, accountId), inArray(markers.timeline, wanted)));
  return rows.map((r) => ({
    timeline: r.timeline as MarkerTimeline,
    lastReadId: r.lastReadId,
    version: r.version,
    updatedAt: r.updatedAt,
  }));
}

/**
 * Saves where the account stopped reading; each saved marker's version goes up by one. Returns the
 * markers that were saved.
 */
export async function saveMarkers(
  database: Database,
  accountId: string,
  changes: Partial<Record<MarkerTimeline, string>>,
): Promise<MarkerView[]> {
  const saved: MarkerView[] = [];
  for (const timeline of MARKER_TIMELINES) {
    const lastReadId = changes[timeline];
    if (lastReadId === undefined) continue;
    if (!isSnowflakeId(lastReadId)) {
      throw new DomainError('InvalidField', 'Last read is not valid', 'last_read_id');
    }
    const [row] = await database.primary
      .insert(markers)
      .values({ accountId, timeline, lastReadId })
      .onConflictDoUpdate({
        target: [markers.accountId, markers.timeline],
        set: { lastReadId, version: sql`${markers.version} + 1`, updatedAt: sql`now()` },
      })
      .returning();
    saved.push({
      timeline,
      lastReadId: row!.lastReadId,
      version: row!.version,
      updatedAt: row!.updatedAt,
    });
  }
  return saved;
}
