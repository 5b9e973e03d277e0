/**
 * Open-model load: requests arrive at evenly spaced scheduled times whatever the server is doing, as
 * users' requests do. Latency runs from each request's scheduled time to the end of its response, so
 * time spent waiting for a free connection (the server fell behind) or for a late timer counts.
 */
import http from 'node:http';
import { finished } from 'node:stream';
import type { RequestSpec } from './load.js';
import type { OpenLoadMeasurement } from './report.js';
import { percentile } from './stats.js';

/** A request not answered this long after its scheduled time is given up, as autocannon's `timeout: 10`. */
export const OPEN_LOAD_TIMEOUT_MS = 10_000;

/** Request i is scheduled i / rate seconds after the start; the first `warmupRequests` are not recorded. */
export interface EvenSchedule {
  ratePerSecond: number;
  warmupRequests: number;
  total: number;
}

export function evenSchedule(
  ratePerSecond: number,
  warmupSeconds: number,
  durationSeconds: number,
): EvenSchedule {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
  const warmupRequests = Math.round(ratePerSecond * warmupSeconds);
  const measuredRequests = Math.round(ratePerSecond * durationSeconds);
  if (measuredRequests < 1) {
    throw new RangeError(`${ratePerSecond} req/s for ${durationSeconds} s schedules no request`);
  }
  return { ratePerSecond, warmupRequests, total: warmupRequests + measuredRequests };
}

/** Milliseconds after the start at which request `index` is due. */
export function scheduledAt(schedule: EvenSchedule, index: number): number {
  return (index * 1000) / schedule.ratePerSecond;
}

/**
 * Waits until item `index` of an even schedule is due: `index / ratePerSecond` seconds after
 * `startedAt` (a `performance.now()`). Returns at once when it is already due (a late timer or a
 * busy loop does not shift the items after it).
 */
export async function untilDue(startedAt: number, index: number, ratePerSecond: number) {
  const wait = startedAt + (index * 1000) / ratePerSecond - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** How many requests are due `elapsedMs` after the start: those scheduled at or before it. */
export function dueBy(schedule: EvenSchedule, elapsedMs: number): number {
  let due = Math.min(
    schedule.total,
    Math.max(0, Math.floor((elapsedMs * schedule.ratePerSecond) / 1000) + 1),
  );
  // The division above may round across a boundary; `scheduledAt` is the definition.
  while (due > 0 && scheduledAt(schedule, due - 1) > elapsedMs) due--;
  while (due < schedule.total && scheduledAt(schedule, due) <= elapsedMs) due++;
  return due;
}

/** Outcomes of a schedule's requests, by index, with times in milliseconds after the schedule's start. */
export class OpenLoadTally {
  private readonly latencies: number[] = [];
  private sent = 0;
  private completed = 0;
  private errors = 0;
  private timeouts = 0;
  private non2xx = 0;
  private completedInWindow = 0;
  private readonly windowStartMs: number;
  private readonly windowEndMs: number;

  constructor(private readonly schedule: EvenSchedule) {
    this.windowStartMs = scheduledAt(schedule, schedule.warmupRequests);
    this.windowEndMs = scheduledAt(schedule, schedule.total);
  }

  private measured(index: number): boolean {
    return index >= this.schedule.warmupRequests;
  }

  /** The request went out on a connection. */
  recordSent(index: number): void {
    if (this.measured(index)) this.sent++;
  }

  recordResponse(index: number, finishedAtMs: number, status: number): void {
    if (finishedAtMs >= this.windowStartMs && finishedAtMs < this.windowEndMs) {
      this.completedInWindow++;
    }
    if (!this.measured(index)) return;
    this.completed++;
    if (status < 200 || status >= 300) this.non2xx++;
    this.latencies.push(finishedAtMs - scheduledAt(this.schedule, index));
  }

  /** No response within the timeout (waiting for a connection or for the server): it counts at the timeout, a lower bound, so a stall shows in the percentiles. */
  recordTimeout(index: number): void {
    if (!this.measured(index)) return;
    this.timeouts++;
    this.latencies.push(OPEN_LOAD_TIMEOUT_MS);
  }

  recordError(index: number): void {
    if (this.measured(index)) this.errors++;
  }

  summary(): OpenLoadMeasurement {
    const windowSeconds = (this.windowEndMs - this.windowStartMs) / 1000;
    return {
      offeredPerSecond: this.schedule.ratePerSecond,
      achievedPerSecond: windowSeconds > 0 ? this.completedInWindow / windowSeconds : 0,
      scheduled: this.schedule.total - this.schedule.warmupRequests,
      sent: this.sent,
      completed: this.completed,
      errors: this.errors,
      timeouts: this.timeouts,
      non2xx: this.non2xx,
      latencyP50Ms: percentile(this.latencies, 50),
      latencyP90Ms: percentile(this.latencies, 90),
      latencyP99Ms: percentile(this.latencies, 99),
      latencyMaxMs: percentile(this.latencies, 100),
    };
  }
}

export interface OpenLoadOptions {
  origin: string;
  /** Cycled through in order, one per scheduled request. */
  requests: RequestSpec[];
  /** Keep-alive connections; a request due while all are busy waits for one. */
  connections: number;
  ratePerSecond: number;
  duration: number;
  warmup: number;
}

/**
 * Runs the warm-up and the measured window as one schedule (no idle gap between them), sending each
 * request when it is due, or as soon as a connection frees up.
 */
export async function measureOpenLoad(options: OpenLoadOptions): Promise<OpenLoadMeasurement> {
  const schedule = evenSchedule(options.ratePerSecond, options.warmup, options.duration);
  const tally = new OpenLoadTally(schedule);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const { hostname, port } = new URL(options.origin);
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  // Requests are due and sent in index order, so the queue is the range [nextToSend, due).
  let due = 0;
  let nextToSend = 0;
  let inFlight = 0;
  let settled = 0;

  return new Promise((resolve) => {
    const settle = () => {
      if (++settled === schedule.total) {
        agent.destroy();
        resolve(tally.summary());
      }
    };

    const send = (index: number, deadlineMs: number) => {
      const spec = options.requests[index % options.requests.length]!;
      const body = spec.body?.();
      const timeout = AbortSignal.timeout(Math.ceil(deadlineMs - elapsed()));
      let done = false;
      const finish = (record: () => void) => {
        if (done) return;
        done = true;
        record();
        inFlight--;
        settle();
        sendWaiting();
      };
      const fail = () =>
        finish(() => (timeout.aborted ? tally.recordTimeout(index) : tally.recordError(index)));
      const request = http.request(
        {
          agent,
          hostname,
          port,
          method: spec.method ?? 'GET',
          path: spec.path,
          headers: {
            ...spec.headers,
            ...spec.vary?.(),
            ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
          },
          signal: timeout,
        },
        (response) => {
          response.resume();
          finished(response, (error) =>
            error
              ? fail()
              : finish(() => tally.recordResponse(index, elapsed(), response.statusCode ?? 0)),
          );
        },
      );
      request.on('error', fail);
      tally.recordSent(index);
      request.end(body);
    };

    const sendWaiting = () => {
      while (inFlight < options.connections && nextToSend < due) {
        const index = nextToSend++;
        const deadlineMs = scheduledAt(schedule, index) + OPEN_LOAD_TIMEOUT_MS;
        if (elapsed() >= deadlineMs) {
          tally.recordTimeout(index);
          settle();
          continue;
        }
        inFlight++;
        send(index, deadlineMs);
      }
    };

    // setTimeout keeps whole milliseconds and fires up to one late (more on a busy machine), which
    // would release requests in clumps at millisecond edges and add that lateness to every latency.
    // So it sleeps until a millisecond before the next request is due and polls with setImmediate
    // (still serving responses in between) from there; a tick that comes late anyway releases every
    // request that has come due since the last one.
    const tick = () => {
      due = dueBy(schedule, elapsed());
      sendWaiting();
      if (due < schedule.total) {
        const wait = scheduledAt(schedule, due) - elapsed();
        if (wait > 1) setTimeout(tick, wait - 1);
        else setImmediate(tick);
      }
    };
    tick();
  });
}
