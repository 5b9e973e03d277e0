import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  MIN_RECOMMENDED_NATS_VERSION,
  natsServerWarnings,
  parseServerVersion,
} from './server-check.js';

describe('compareVersions', () => {
  it('orders by major, minor, then patch — numerically, not as text', () => {
    expect(compareVersions('2.9.10', '2.10.23')).toBeLessThan(0);
    expect(compareVersions('2.10.9', '2.10.23')).toBeLessThan(0);
    expect(compareVersions('2.10.23', '2.10.23')).toBe(0);
    expect(compareVersions('2.10.24', '2.10.23')).toBeGreaterThan(0);
    expect(compareVersions('2.11.0', '2.10.99')).toBeGreaterThan(0);
    expect(compareVersions('3.0.0', '2.99.99')).toBeGreaterThan(0);
  });

  it('accepts a v prefix and ignores pre-release suffixes', () => {
    expect(compareVersions('v2.12.3', '2.12.3')).toBe(0);
    expect(compareVersions('2.11.0-RC.1', '2.10.23')).toBeGreaterThan(0);
    expect(parseServerVersion('2.9.10-beta')).toEqual([2, 9, 10]);
  });

  it('throws on something that is not a version', () => {
    expect(parseServerVersion('unknown')).toBeNull();
    expect(() => compareVersions('unknown', '2.10.23')).toThrow();
  });
});

describe('natsServerWarnings', () => {
  it('warns about servers older than 2.10.23, e.g. Debian 2.9.10 and the crash-prone 2.10.22', () => {
    expect(MIN_RECOMMENDED_NATS_VERSION).toBe('2.10.23');
    for (const v of ['2.9.10', '2.10.20', '2.10.22']) {
      const warnings = natsServerWarnings(v);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(v);
    }
  });

  it('has nothing to say about current servers', () => {
    expect(natsServerWarnings('2.10.23')).toEqual([]);
    expect(natsServerWarnings('2.12.3')).toEqual([]);
  });

  it('warns when the version is unknown or JetStream is off', () => {
    expect(natsServerWarnings('unknown')).toHaveLength(1);
    expect(natsServerWarnings('2.12.3', { jetstream: false })).toEqual([
      'JetStream is not enabled on this NATS server',
    ]);
  });
});
