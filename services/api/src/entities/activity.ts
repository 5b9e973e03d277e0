import type { DailyStatistics } from '@murmur/db/statistics';
import type { Static } from 'typebox';
import type { ActivityWeek } from '../schemas/entities.js';

const DAY_MS = 86_400_000;
export const ACTIVITY_WEEKS = 12;

/** Monday 00:00 UTC of the week holding `date` (Rails' `beginning_of_week`). */
export function startOfWeek(date: Date): Date {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const daysSinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY_MS);
}

/** The days `/api/v1/instance/activity` needs: from the Monday 11 weeks back to today. */
export function activityRange(now: Date): { from: string; to: string } {
  const first = new Date(startOfWeek(now).getTime() - (ACTIVITY_WEEKS - 1) * 7 * DAY_MS);
  return { from: first.toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
}

/**
 * Mastodon's instance activity: 12 weekly bins, the current week first, `week` the Unix time of its
 * Monday, every value a string. Statuses, logins and registrations add up the daily rows.
 */
export function weeklyActivity(
  days: readonly Pick<DailyStatistics, 'day' | 'posts' | 'logins' | 'newAccounts'>[],
  now: Date,
): Static<typeof ActivityWeek>[] {
  const current = startOfWeek(now).getTime();
  const bins = Array.from({ length: ACTIVITY_WEEKS }, (_, i) => ({
    start: current - i * 7 * DAY_MS,
    statuses: 0,
    logins: 0,
    registrations: 0,
  }));
  for (const day of days) {
    const index = Math.floor(
      (current - startOfWeek(new Date(`${day.day}T00:00:00Z`)).getTime()) / (7 * DAY_MS),
    );
    const bin = bins[index];
    if (!bin) continue;
    bin.statuses += day.posts;
    bin.logins += day.logins;
    bin.registrations += day.newAccounts;
  }
  return bins.map((b) => ({
    week: String(b.start / 1000),
    statuses: String(b.statuses),
    logins: String(b.logins),
    registrations: String(b.registrations),
  }));
}
