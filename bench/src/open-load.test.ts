import { describe, expect, it } from 'vitest';
import {
  dueBy,
  evenSchedule,
  OPEN_LOAD_TIMEOUT_MS,
  OpenLoadTally,
  scheduledAt,
} from './open-load.js';

describe('evenSchedule', () => {
  it('at 1,000 req/s for 1 s schedules exactly 1,000 requests, 1 ms apart, all due by the end', () => {
    const schedule = evenSchedule(1_000, 0, 1);
    expect(schedule.total).toBe(1_000);
    const times = Array.from({ length: schedule.total }, (_, i) => scheduledAt(schedule, i));
    expect(times[0]).toBe(0);
    expect(times.slice(1).map((time, i) => time - times[i]!)).toEqual(new Array(999).fill(1));
    expect(dueBy(schedule, 999.999)).toBe(1_000);
    expect(dueBy(schedule, 5_000)).toBe(1_000);
  });

  it('puts the warm-up requests first and counts the measured ones apart', () => {
    expect(evenSchedule(200, 0.5, 2)).toEqual({
      ratePerSecond: 200,
      warmupRequests: 100,
      total: 500,
    });
  });

  it('refuses a schedule with no request to measure', () => {
    expect(() => evenSchedule(1, 0, 0.2)).toThrow(RangeError);
    expect(() => evenSchedule(0, 0, 10)).toThrow(RangeError);
  });
});

describe('dueBy', () => {
  it('makes each request due at its scheduled time and not a moment before, at awkward rates too', () => {
    for (const rate of [3, 7, 333.3, 692, 1_000, 2_417]) {
      const schedule = evenSchedule(rate, 1, 2);
      for (let i = 0; i < schedule.total; i++) {
        const at = scheduledAt(schedule, i);
        expect(dueBy(schedule, at)).toBe(i + 1);
        if (i > 0) expect(dueBy(schedule, at - 1e-6)).toBe(i);
      }
    }
  });

  it('grows by the rate: a timer that fires 10 ms late at 1,000 req/s releases 10 more at once', () => {
    const schedule = evenSchedule(1_000, 0, 1);
    expect(dueBy(schedule, 100.5) - dueBy(schedule, 90.5)).toBe(10);
    expect(dueBy(schedule, -1)).toBe(0);
  });
});

describe('OpenLoadTally', () => {
  it('measures a late response from its scheduled time, not from when it was sent', () => {
    const schedule = evenSchedule(100, 0, 1);
    const tally = new OpenLoadTally(schedule);
    // Request 5 is due at 50 ms, waits for a connection until 90 ms, and is answered at 95 ms.
    tally.recordSent(5);
    tally.recordResponse(5, 95, 200);
    expect(tally.summary().latencyMaxMs).toBe(45);
  });

  it('leaves the warm-up out of the latencies and counts', () => {
    const schedule = evenSchedule(100, 1, 1);
    const tally = new OpenLoadTally(schedule);
    tally.recordSent(0);
    tally.recordResponse(0, 5_000, 200);
    tally.recordSent(100);
    tally.recordResponse(100, 1_002, 200);
    const summary = tally.summary();
    expect(summary).toMatchObject({ scheduled: 100, sent: 1, completed: 1, latencyMaxMs: 2 });
  });

  it('keeps a stall in the tail: timeouts count at the timeout, non-2xx and errors are counted', () => {
    const schedule = evenSchedule(100, 0, 1);
    const tally = new OpenLoadTally(schedule);
    for (let i = 0; i < 98; i++) tally.recordResponse(i, scheduledAt(schedule, i) + 3, 200);
    tally.recordResponse(98, scheduledAt(schedule, 98) + 3, 429);
    tally.recordTimeout(99);
    tally.recordError(0);
    const summary = tally.summary();
    expect(summary).toMatchObject({
      completed: 99,
      non2xx: 1,
      timeouts: 1,
      errors: 1,
      latencyP50Ms: 3,
      latencyP99Ms: 3,
      latencyMaxMs: OPEN_LOAD_TIMEOUT_MS,
    });
    tally.recordTimeout(50);
    expect(tally.summary().latencyP99Ms).toBe(OPEN_LOAD_TIMEOUT_MS);
  });

  it('achieves the offered rate when every response arrives within the window, and less when the server falls behind', () => {
    const schedule = evenSchedule(100, 1, 1);
    const keepingUp = new OpenLoadTally(schedule);
    const fallingBehind = new OpenLoadTally(schedule);
    for (let i = 0; i < schedule.total; i++) {
      keepingUp.recordResponse(i, scheduledAt(schedule, i) + 5, 200);
      // Service time 12.5 ms against an arrival every 10 ms: the queue grows by a fifth of the requests.
      fallingBehind.recordResponse(i, (i + 1) * 12.5, 200);
    }
    expect(keepingUp.summary().achievedPerSecond).toBe(100);
    expect(fallingBehind.summary().achievedPerSecond).toBe(80);
    expect(fallingBehind.summary().latencyMaxMs).toBeGreaterThan(400);
  });
});
