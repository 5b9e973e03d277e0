import { describe, expect, it } from 'vitest';
import { activityRange, startOfWeek, weeklyActivity } from './activity.js';

const day = (date: string, posts: number, logins = 0, newAccounts = 0) => ({
  day: date,
  posts,
  logins,
  newAccounts,
});

describe('weeklyActivity', () => {
  const now = new Date('2024-05-08T15:00:00Z'); // a Wednesday

  it('starts weeks on Monday 00:00 UTC', () => {
    expect(startOfWeek(now).toISOString()).toBe('2024-05-06T00:00:00.000Z');
    expect(startOfWeek(new Date('2024-05-12T23:59:59Z')).toISOString()).toBe(
      '2024-05-06T00:00:00.000Z',
    );
    expect(activityRange(now)).toEqual({ from: '2024-02-19', to: '2024-05-08' });
  });

  it('returns 12 string bins, newest first, summing days into their week', () => {
    const weeks = weeklyActivity(
      [
        day('2024-05-06', 2, 1, 1),
        day('2024-05-08', 3, 4),
        day('2024-05-05', 7),
        day('2024-02-19', 1),
        day('2024-02-18', 9),
      ],
      now,
    );
    expect(weeks).toHaveLength(12);
    expect(weeks[0]).toEqual({
      week: String(Date.UTC(2024, 4, 6) / 1000),
      statuses: '5',
      logins: '5',
      registrations: '1',
    });
    expect(weeks[1]!.statuses).toBe('7');
    expect(weeks[11]!.statuses).toBe('1');
    expect(weeks.every((w) => typeof w.week === 'string' && typeof w.logins === 'string')).toBe(
      true,
    );
  });
});
