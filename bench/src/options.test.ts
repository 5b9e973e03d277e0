import { describe, expect, it } from 'vitest';
import { parseArguments } from './options.js';

describe('parseArguments: the open phase', () => {
  it('offers half of the closed-loop throughput for as long as --duration, wherever that flag stands', () => {
    const options = parseArguments(['--open-rate', '0', '--duration', '7'], {});
    expect(options).toMatchObject({ openFraction: 0.5, openRate: 0, openDuration: 7 });
    expect(parseArguments(['--duration', '7', '--open-duration', '2'], {}).openDuration).toBe(2);
  });

  it('is skipped with --open-fraction 0 and kept short in a smoke run', () => {
    expect(parseArguments(['--open-fraction', '0'], {}).openFraction).toBe(0);
    expect(parseArguments(['--smoke'], {}).openDuration).toBe(0.5);
    expect(() => parseArguments(['--open-duration', '0'], {})).toThrow(/positive/);
  });
});
