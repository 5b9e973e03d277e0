import { describe, expect, it } from 'vitest';
import { isolatedTopology } from '../topology.js';
import { consumerSettings, defaultRetryDelayMs, effectiveAckWaitMs } from './consumer-config.js';
import { streamSettings } from './stream.js';

const topology = isolatedTopology('unit');
const SECOND_NS = 1_000_000_000;

describe('streamSettings', () => {
  it('spells out file storage, limits retention, a 10 min duplicate window and 7 days of age', () => {
    const s = streamSettings(topology);
    expect(s).toMatchObject({
      name: 'T_UNIT_EVENTS',
      subjects: ['t.unit.events.>'],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      duplicate_window: 600 * SECOND_NS,
      max_age: 7 * 24 * 3600 * SECOND_NS,
      num_replicas: 1,
      allow_direct: true,
      deny_delete: false,
    });
  });

  it('takes overrides', () => {
    const s = streamSettings(topology, {
      numReplicas: 3,
      duplicateWindowMs: 2_000,
      allowDirect: false,
    });
    expect(s.num_replicas).toBe(3);
    expect(s.duplicate_window).toBe(2 * SECOND_NS);
    expect(s.allow_direct).toBe(false);
  });

  it('refuses a duplicate window longer than the retention', () => {
    expect(() =>
      streamSettings(topology, { duplicateWindowMs: 10_000, maxAgeMs: 5_000 }),
    ).toThrow();
  });
});

describe('consumerSettings', () => {
  it('makes an explicit durable pull consumer with a finite max_deliver', () => {
    const c = consumerSettings({ durableName: 'email', maxAckPending: 8 });
    expect(c).toEqual({
      durable_name: 'email',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      replay_policy: 'instant',
      ack_wait: 30 * SECOND_NS,
      max_deliver: 8,
      max_ack_pending: 8,
      backoff: [],
    });
    expect(c).not.toHaveProperty('inactive_threshold');
  });

  it('sets the filter subject', () => {
    const c = consumerSettings({
      durableName: 'stats',
      maxAckPending: 1,
      filterSubject: 't.unit.events.post.created.v1',
    });
    expect(c.filter_subject).toBe('t.unit.events.post.created.v1');
  });

  it('uses backoff[0] as the ack wait, as the server would', () => {
    const c = consumerSettings({
      durableName: 'x',
      maxAckPending: 1,
      backoffMs: [30_000, 60_000, 120_000],
    });
    expect(c.ack_wait).toBe(30 * SECOND_NS);
    expect(c.backoff).toEqual([30, 60, 120].map((s) => s * SECOND_NS));
    expect(effectiveAckWaitMs(c)).toBe(30_000);
    expect(() =>
      consumerSettings({
        durableName: 'x',
        maxAckPending: 1,
        ackWaitMs: 30_000,
        backoffMs: [1_000],
      }),
    ).toThrow(/backoffMs\[0\]/);
  });

  it('requires fewer backoff entries than max deliveries', () => {
    expect(() =>
      consumerSettings({
        durableName: 'x',
        maxAckPending: 1,
        maxDeliver: 3,
        backoffMs: [1e3, 2e3, 3e3],
      }),
    ).toThrow(/fewer entries/);
  });

  it('rejects unbounded or nonsense values', () => {
    expect(() =>
      consumerSettings({ durableName: 'x', maxAckPending: 1, maxDeliver: -1 }),
    ).toThrow();
    expect(() => consumerSettings({ durableName: 'x', maxAckPending: 0 })).toThrow();
    expect(() => consumerSettings({ durableName: 'a.b', maxAckPending: 1 })).toThrow();
    expect(() => consumerSettings({ durableName: 'x', maxAckPending: 1, ackWaitMs: 10 })).toThrow();
  });
});

describe('defaultRetryDelayMs', () => {
  it('grows 1 s, 5 s, 30 s, 2 min, 10 min and stays at 10 min', () => {
    expect([1, 2, 3, 4, 5, 6, 8].map(defaultRetryDelayMs)).toEqual([
      1_000, 5_000, 30_000, 120_000, 600_000, 600_000, 600_000,
    ]);
    expect(defaultRetryDelayMs(0)).toBe(1_000);
  });
});
