import { describe, expect, it } from 'vitest';
import { isSnowflakeId } from './ids.js';

describe('isSnowflakeId', () => {
  it('takes digit strings up to the largest bigint', () => {
    for (const id of [
      '0',
      '1',
      '117745599521170962',
      '9223372036854775807',
      '0999999999999999999',
    ]) {
      expect(isSnowflakeId(id)).toBe(true);
    }
  });

  it('refuses what PostgreSQL could not take as a bigint id', () => {
    for (const value of [
      '9223372036854775808',
      '9999999999999999999',
      '12345678901234567890',
      '',
      '-1',
      '1e5',
      ' 1',
      '١٢٣',
      12,
      null,
      undefined,
    ]) {
      expect(isSnowflakeId(value)).toBe(false);
    }
  });
});
