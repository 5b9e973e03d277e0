/**
 * Load through an outage, for the fault tests: a few loops calling a service over HTTP while the test
 * takes a dependency away and brings it back, every answer timed, and the figures that say whether the
 * service failed fast and recovered by itself.
 */
import { sleep } from './testing.js';

export interface TimedAnswer {
  label: string;
  status: number | 'no answer';
  ms: number;
  /** Date.now() when the request was sent. */
  at: number;
  retryAfter: string | null;
}

/** One request; a network failure or no answer within `timeoutMs` is recorded as 'no answer'. */
export async function timedFetch(
  label: string,
  url: string,
  init: RequestInit = {},
  timeoutMs = 15_000,
): Promise<TimedAnswer> {
  const at = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    const retryAfter = response.headers.get('retry-after');
    return { label, status: response.status, ms: Date.now() - at, at, retryAfter };
  } catch {
    return { label, status: 'no answer', ms: Date.now() - at, at, retryAfter: null };
  }
}

export interface OutageFigures {
  answers: TimedAnswer[];
  downAt: number;
  upAt: number;
  /** Every status seen, sorted. */
  statuses: (number | 'no answer')[];
  /** 503s answered for requests sent while the dependency was down. */
  unavailableDuringOutage: number;
  slowestMs: number;
  /** Every answer after the first success that followed the restart was a success. */
  recovered: boolean;
  /** From the dependency being back to the first success. */
  recoveryMs: number | null;
}

/**
 * Runs `loops` copies of `step` (each call records its answers) before, during and after `outage`
 * (which takes the dependency down, waits, and brings it back, reporting when), for `settleMs` more.
 */
export async function loadThroughOutage(options: {
  loops: number;
  step: (record: (answer: TimedAnswer) => void) => Promise<void>;
  outage: () => Promise<{ downAt: number; upAt: number }>;
  warmUpMs?: number;
  settleMs?: number;
}): Promise<OutageFigures> {
  const answers: TimedAnswer[] = [];
  const record = (answer: TimedAnswer) => answers.push(answer);
  let stop = false;
  const loops = Array.from({ length: options.loops }, async () => {
    while (!stop) {
      await options.step(record);
      await sleep(20);
    }
  });
  await sleep(options.warmUpMs ?? 1_000);
  const { downAt, upAt } = await options.outage();
  await sleep(options.settleMs ?? 3_000);
  stop = true;
  await Promise.all(loops);
  const afterUp = answers.filter((a) => a.at > upAt);
  const firstOk = afterUp.findIndex((a) => a.status !== 'no answer' && a.status < 500);
  return {
    answers,
    downAt,
    upAt,
    statuses: [...new Set(answers.map((a) => a.status))].sort(),
    unavailableDuringOutage: answers.filter(
      (a) => a.at >= downAt && a.at < upAt && a.status === 503,
    ).length,
    slowestMs: Math.max(...answers.map((a) => a.ms)),
    recovered:
      firstOk >= 0 &&
      afterUp.slice(firstOk).every((a) => a.status !== 'no answer' && a.status < 500),
    recoveryMs: firstOk >= 0 ? afterUp[firstOk]!.at - upAt : null,
  };
}
