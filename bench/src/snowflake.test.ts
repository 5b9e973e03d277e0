import { describe, expect, it } from 'vitest';
import { IdClock } from './dataset.js';
import { millisOfSnowflake, snowflakeAt } from './snowflake.js';

describe('snowflakeAt', () => {
  it('puts the milliseconds above 16 bits of sequence, as snowflake_id_at() does in SQL', () => {
    // PostgreSQL: select (1767225600000::bigint << 16) | 5  →  115816896921600005 (2026-01-01T00:00:00Z)
    expect(snowflakeAt(1_767_225_600_000, 5)).toBe('115816896921600005');
    expect(millisOfSnowflake(snowflakeAt(1_767_225_600_000, 65_535))).toBe(1_767_225_600_000);
  });

  it('keeps only 16 bits of sequence', () => {
    expect(snowflakeAt(1, 65_536)).toBe(snowflakeAt(1, 0));
  });

  it('sorts by time before sequence, beyond the precision of a double', () => {
    const earlier = BigInt(snowflakeAt(1_767_225_600_000, 65_535));
    const later = BigInt(snowflakeAt(1_767_225_600_001, 0));
    expect(later > earlier).toBe(true);
    expect(later - earlier).toBe(1n);
  });
});

describe('IdClock', () => {
  it('gives unique, increasing ids even when times repeat or go backwards', () => {
    const clock = new IdClock();
    const ids = [100, 100, 100, 99, 101].map((ms) => BigInt(clock.next(ms)));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(millisOfSnowflake(ids[4]!.toString())).toBe(101);
  });
});
