import { describe, expect, it } from 'vitest';
import { exactTime, relativeTime } from './time.js';

const now = new Date('2024-11-20T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('relativeTime', () => {
  it.each([
    [1_000, 'now'],
    [42_000, '42s'],
    [5 * 60_000, '5m'],
    [3 * 3600_000, '3h'],
    [3 * 86_400_000, 'Nov 17'],
    [400 * 86_400_000, 'Oct 17, 2023'],
  ])('%i ms ago reads %s', (ms, expected) => {
    expect(relativeTime(ago(ms), now)).toBe(expected);
  });

  it('gives the exact time in UTC', () => {
    expect(exactTime(now)).toBe('2024-11-20 12:00 UTC');
  });
});
