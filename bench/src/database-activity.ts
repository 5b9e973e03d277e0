/**
 * What the database did during a phase of a benchmark, beside the statements measured: the
 * checkpoints that started (a checkpoint makes the next change to every page write a full-page
 * image into the WAL, and its writes and fsyncs compete with the commits), the WAL written, the
 * pages the backends had to write out themselves (the buffer pool was full of dirty pages), and,
 * where `pg_stat_statements` is loaded, how the fan-out's statements ran (batches and their size).
 * The checkpoint and WAL figures are the whole cluster's: other databases on it count too.
 */
import type pg from 'pg';

export interface ActivitySnapshot {
  at: number;
  checkpointsTimed: number;
  checkpointsRequested: number;
  /** Pages written by backends (not the checkpointer or the background writer). */
  buffersBackend: number;
  walBytes: bigint;
  walFullPageImages: number;
  /** Absent without pg_stat_statements. */
  statements?: Map<string, StatementTotals>;
}

interface StatementTotals {
  calls: number;
  rows: number;
  ms: number;
  walBytes: number;
}

export interface PhaseActivity {
  seconds: number;
  /** Counted within a second of their start. */
  checkpointsStarted: { timed: number; requested: number };
  walMB: number;
  walMBPerSecond: number;
  walFullPageImages: number;
  buffersWrittenByBackends: number;
  /** `fanOutStatusesOnce`'s statement: batches, posts per batch, database ms per batch. */
  fanOutBatches?: {
    calls: number;
    postsPerBatch: number;
    msPerBatch: number;
    walBytesPerPost: number;
  };
  /** A heavy author's chunks (`fanOutChunk`). */
  fanOutChunks?: { calls: number; msPerChunk: number };
}

/** Which statements are reported, by a fragment of their text. */
const STATEMENTS: Record<string, string> = {
  batch: '%insert into processed_events (consumer, event_id)%insert into home_feed_entries%',
  chunk: '%chunk as (%insert into home_feed_entries%',
};

/**
 * Loads `pg_stat_statements` into the benchmark's own database when the server preloads it; false
 * (and the statement figures are left out) otherwise.
 */
export async function enableStatementStatistics(client: pg.Client): Promise<boolean> {
  try {
    const { rows } = await client.query<{ loaded: boolean }>(
      `select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ', ')) as loaded`,
    );
    if (!rows[0]?.loaded) return false;
    await client.query('create extension if not exists pg_stat_statements');
    return true;
  } catch {
    return false;
  }
}

export async function activitySnapshot(
  client: pg.Client,
  withStatements: boolean,
): Promise<ActivitySnapshot> {
  const { rows } = await client.query<{
    timed: string;
    requested: string;
    backend: string;
    lsn: string;
    fpi: string;
  }>(
    `select b.checkpoints_timed::text as timed, b.checkpoints_req::text as requested,
       b.buffers_backend::text as backend,
       pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text as lsn, w.wal_fpi::text as fpi
     from pg_stat_bgwriter b, pg_stat_wal w`,
  );
  const row = rows[0]!;
  const snapshot: ActivitySnapshot = {
    at: performance.now(),
    checkpointsTimed: Number(row.timed),
    checkpointsRequested: Number(row.requested),
    buffersBackend: Number(row.backend),
    walBytes: BigInt(row.lsn),
    walFullPageImages: Number(row.fpi),
  };
  if (withStatements) {
    snapshot.statements = new Map();
    for (const [name, pattern] of Object.entries(STATEMENTS)) {
      const { rows: totals } = await client.query<StatementTotals>(
        `select coalesce(sum(calls), 0)::int as calls, coalesce(sum(rows), 0)::int as rows,
           coalesce(sum(total_exec_time), 0)::float8 as ms, coalesce(sum(wal_bytes), 0)::float8 as "walBytes"
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
           and query like $1`,
        [pattern],
      );
      snapshot.statements.set(name, totals[0]!);
    }
  }
  return snapshot;
}

export function activityBetween(before: ActivitySnapshot, after: ActivitySnapshot): PhaseActivity {
  const seconds = (after.at - before.at) / 1000;
  const walMB = Number(after.walBytes - before.walBytes) / 1e6;
  const activity: PhaseActivity = {
    seconds: round(seconds, 1),
    checkpointsStarted: {
      timed: after.checkpointsTimed - before.checkpointsTimed,
      requested: after.checkpointsRequested - before.checkpointsRequested,
    },
    walMB: round(walMB, 1),
    walMBPerSecond: round(walMB / seconds, 1),
    walFullPageImages: after.walFullPageImages - before.walFullPageImages,
    buffersWrittenByBackends: after.buffersBackend - before.buffersBackend,
  };
  const delta = (name: string) => {
    const a = after.statements?.get(name);
    const b = before.statements?.get(name);
    if (!a || !b) return undefined;
    return {
      calls: a.calls - b.calls,
      rows: a.rows - b.rows,
      ms: a.ms - b.ms,
      walBytes: a.walBytes - b.walBytes,
    };
  };
  const batch = delta('batch');
  if (batch && batch.calls > 0) {
    activity.fanOutBatches = {
      calls: batch.calls,
      postsPerBatch: round(batch.rows / batch.calls, 1),
      msPerBatch: round(batch.ms / batch.calls, 1),
      walBytesPerPost: Math.round(batch.walBytes / Math.max(1, batch.rows)),
    };
  }
  const chunk = delta('chunk');
  if (chunk && chunk.calls > 0) {
    activity.fanOutChunks = { calls: chunk.calls, msPerChunk: round(chunk.ms / chunk.calls, 1) };
  }
  return activity;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

interface Sample {
  at: number;
  checkpoints: number;
  checkpointSyncMs: number;
  walBytes: bigint;
  walFullPageImages: number;
}

/**
 * Samples the cluster's checkpoint and WAL counters every `intervalMs` on its own connection (the
 * poller's stays free), for `timeline`.
 */
export function sampleActivity(connect: () => Promise<pg.Client>, intervalMs = 250) {
  const samples: Sample[] = [];
  let running = true;
  const done = (async () => {
    const client = await connect();
    try {
      while (running) {
        const { rows } = await client.query<{
          checkpoints: string;
          sync: string;
          lsn: string;
          fpi: string;
        }>(
          `select (b.checkpoints_timed + b.checkpoints_req)::text as checkpoints,
             b.checkpoint_sync_time::text as sync,
             pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text as lsn, w.wal_fpi::text as fpi
           from pg_stat_bgwriter b, pg_stat_wal w`,
        );
        const row = rows[0]!;
        samples.push({
          at: Date.now(),
          checkpoints: Number(row.checkpoints),
          checkpointSyncMs: Number(row.sync),
          walBytes: BigInt(row.lsn),
          walFullPageImages: Number(row.fpi),
        });
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/**
 * One line per second of a phase (from its first commit): the posts committed in that second and
 * their lag to the feed, next to the WAL written, its full-page images (a surge of them is a
 * checkpoint starting), the checkpoints counted and their fsyncs. A slow stretch that starts with
 * a surge of full-page images reads as a checkpoint's.
 */
export function timeline(
  commits: Iterable<{ at: number; lagMs: number | undefined }>,
  samples: readonly Sample[],
): string[] {
  const all = [...commits];
  if (all.length === 0) return [];
  const start = Math.min(...all.map((c) => c.at));
  const end = Math.max(...all.map((c) => c.at + (c.lagMs ?? 0)));
  const lines: string[] = [];
  for (let second = 0; start + second * 1000 <= end; second++) {
    const from = start + second * 1000;
    const to = from + 1000;
    const lags = all
      .filter((c) => c.at >= from && c.at < to)
      .map((c) => c.lagMs ?? Number.POSITIVE_INFINITY)
      .sort((a, b) => a - b);
    const inSecond = samples.filter((s) => s.at >= from && s.at < to);
    const before = [...samples].reverse().find((s) => s.at < from) ?? inSecond[0];
    const last = inSecond.at(-1) ?? before;
    let line = `${String(second).padStart(3)}s ${String(lags.length).padStart(3)} posts`;
    if (lags.length > 0) {
      line += `, lag p50 ${fmt(lags[Math.floor(lags.length / 2)]!)} max ${fmt(lags.at(-1)!)} ms`;
    }
    if (before && last) {
      line += `; WAL ${(Number(last.walBytes - before.walBytes) / 1e6).toFixed(0)} MB, ${last.walFullPageImages - before.walFullPageImages} FPI`;
      // The checkpointer's counters appear within a second of a checkpoint's start, with the
      // surge of full-page images; its fsyncs at its end.
      if (last.checkpoints > before.checkpoints) line += ', checkpoint';
      if (last.checkpointSyncMs > before.checkpointSyncMs) {
        line += `, checkpoint fsyncs ${Math.round(last.checkpointSyncMs - before.checkpointSyncMs)} ms`;
      }
    }
    lines.push(line);
  }
  return lines;
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? String(Math.round(ms)) : 'missing';
}
