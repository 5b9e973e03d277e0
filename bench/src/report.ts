/** Result records and their Markdown rendering. */

export interface LoadMeasurement {
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses that were not 2xx (429s included: they mean the run was rate-limited). */
  non2xx: number;
  bytesPerResponse: number;
}

/** An open-model run (`open-load.ts`): latencies run from each request's scheduled time. */
export interface OpenLoadMeasurement {
  offeredPerSecond: number;
  /** Responses completed per second during the measured window: short of the offered rate when the server fell behind. */
  achievedPerSecond: number;
  /** Requests scheduled in the measured window. */
  scheduled: number;
  /** Of those, the ones that went out on a connection (the others timed out waiting for one). */
  sent: number;
  /** Responses received, whatever their status. */
  completed: number;
  /** Network errors. */
  errors: number;
  /** No response within 10 s of the scheduled time; counted at 10 s in the latencies. */
  timeouts: number;
  non2xx: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

export interface HttpScenarioResult {
  scenario: string;
  title: string;
  size: number;
  service: LoadMeasurement;
  /** The hand-written single-query reference on the same data, when the scenario has one. */
  reference: LoadMeasurement | null;
  /** A pre-serialized body of the same size: the framework and network ceiling. */
  bare: LoadMeasurement | null;
  /**
   * Throughput of each round (service and reference measured back to back, alternating which goes
   * first). `service` and `reference` above are their median rounds; "vs ref" is the median of the
   * rounds' ratios, which drifts far less on a shared machine than one pair of runs.
   */
  rounds?: { service: number; reference: number | null }[];
  /** Service, then reference, at the same evenly spaced offered rate; absent when the open phase was skipped. */
  open?: { service: OpenLoadMeasurement; reference: OpenLoadMeasurement | null };
  note?: string;
}

/** Service throughput as a share of the reference: the median of the rounds' ratios when there are rounds. */
export function referenceRatio(result: HttpScenarioResult): number | null {
  const perRound = (result.rounds ?? [])
    .map((round) => ratio(round.service, round.reference))
    .filter((value): value is number => value !== null);
  if (perRound.length === 0) {
    return ratio(result.service.requestsPerSecond, result.reference?.requestsPerSecond);
  }
  return median(perRound);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface PipelineResult {
  size: number;
  ratePerSecond: number;
  statusesCreated: number;
  notificationsExpected: number;
  notificationsSeen: number;
  commitToNotification: { p50Ms: number; p99Ms: number; maxMs: number };
  emailsSeen: number;
  commitToEmail: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Mention events turned into notifications per second over the run. */
  eventsPerSecond: number;
  reference: { publishPerSecond: number; consumeAckPerSecond: number } | null;
  note?: string;
}

export interface SkippedScenario {
  scenario: string;
  size: number;
  reason: string;
}

export function ratio(service: number, reference: number | undefined | null): number | null {
  if (!reference || !Number.isFinite(reference) || reference <= 0) return null;
  return service / reference;
}

function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; numbers are right-aligned. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (string | number)[][],
): string {
  const numeric = headers.map(
    (_, column) =>
      rows.length > 0 &&
      rows.every((row) => typeof row[column] === 'number' || row[column] === '–'),
  );
  const head = `| ${headers.map(escapeCell).join(' | ')} |`;
  const rule = `|${numeric.map((isNumber) => (isNumber ? '---:' : '---')).join('|')}|`;
  const body = rows.map((row) => `| ${row.map((cell) => escapeCell(String(cell))).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** A number for a table: fixed decimals, or an en dash when it is missing. */
export function formatNumber(value: number | null | undefined, decimals = 0): number | string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number(value.toFixed(decimals));
}

export function formatPercent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 100)}%`;
}

/** Requests of an open run that got no 2xx answer in time: errors, timeouts and non-2xx responses. */
export function openFailures(run: OpenLoadMeasurement): number {
  return run.errors + run.timeouts + run.non2xx;
}

export function httpTable(results: readonly HttpScenarioResult[]): string {
  return renderTable(
    [
      'Scenario',
      'Size',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'non-2xx',
      'ref req/s',
      'ref p50 ms',
      'ref p99 ms',
      'vs ref',
      'bare req/s',
      'vs bare',
      'open rate/s',
      'open p50 ms',
      'open p99 ms',
      'open failed',
      'ref open p99 ms',
    ],
    results.map((r) => [
      r.title + (r.note ? ` (${r.note})` : ''),
      r.size,
      formatNumber(r.service.requestsPerSecond),
      formatNumber(r.service.latencyP50Ms, 1),
      formatNumber(r.service.latencyP99Ms, 1),
      r.service.errors,
      r.service.non2xx,
      formatNumber(r.reference?.requestsPerSecond),
      formatNumber(r.reference?.latencyP50Ms, 1),
      formatNumber(r.reference?.latencyP99Ms, 1),
      formatPercent(referenceRatio(r)),
      formatNumber(r.bare?.requestsPerSecond),
      formatPercent(ratio(r.service.requestsPerSecond, r.bare?.requestsPerSecond)),
      formatNumber(r.open?.service.offeredPerSecond),
      formatNumber(r.open?.service.latencyP50Ms, 1),
      formatNumber(r.open?.service.latencyP99Ms, 1),
      r.open ? openFailures(r.open.service) : '–',
      formatNumber(r.open?.reference?.latencyP99Ms, 1),
    ]),
  );
}

export function pipelineTable(results: readonly PipelineResult[]): string {
  return renderTable(
    [
      'Size',
      'rate/s',
      'statuses',
      'notif. seen',
      'commit→notif p50',
      'p99',
      'emails seen',
      'commit→email p50',
      'p99',
      'events/s',
      'JetStream pub/s',
      'consume+ack/s',
    ],
    results.map((r) => [
      r.size,
      r.ratePerSecond,
      r.statusesCreated,
      `${r.notificationsSeen}/${r.notificationsExpected}`,
      formatNumber(r.commitToNotification.p50Ms, 1),
      formatNumber(r.commitToNotification.p99Ms, 1),
      r.emailsSeen,
      formatNumber(r.commitToEmail.p50Ms, 1),
      formatNumber(r.commitToEmail.p99Ms, 1),
      formatNumber(r.eventsPerSecond),
      formatNumber(r.reference?.publishPerSecond),
      formatNumber(r.reference?.consumeAckPerSecond),
    ]),
  );
}

/** Cost growth per scenario: latency p50 and 1/throughput at the largest size relative to the smallest. */
export function growthTable(results: readonly HttpScenarioResult[]): string {
  const byScenario = new Map<string, HttpScenarioResult[]>();
  for (const r of results) byScenario.set(r.title, [...(byScenario.get(r.title) ?? []), r]);
  const rows: (string | number)[][] = [];
  for (const [title, list] of byScenario) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => a.size - b.size);
    const small = sorted[0]!;
    const large = sorted[sorted.length - 1]!;
    const costRatio = ratio(small.service.requestsPerSecond, large.service.requestsPerSecond);
    rows.push([
      title,
      `${small.size} → ${large.size}`,
      costRatio === null ? '–' : `${costRatio.toFixed(2)}×`,
      (() => {
        const p = ratio(large.service.latencyP50Ms, small.service.latencyP50Ms);
        return p === null ? '–' : `${p.toFixed(2)}×`;
      })(),
    ]);
  }
  if (rows.length === 0) return '';
  return renderTable(['Scenario', 'Sizes', 'cost per request (1/req/s)', 'p50 latency'], rows);
}
