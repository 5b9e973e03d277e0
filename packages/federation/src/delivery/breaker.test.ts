import { describe, expect, it } from 'vitest';
import { HostCircuitBreakers } from './breaker.js';

describe('HostCircuitBreakers', () => {
  const policy = { threshold: 3, cooldownMs: 1000, maxCooldownMs: 4000 };

  it('opens after `threshold` failures in a row, for that host only', () => {
    let now = 0;
    const breakers = new HostCircuitBreakers(policy, () => now);
    for (let i = 0; i < 2; i++) breakers.failed('dead.example');
    expect(breakers.admit('dead.example')).toEqual({ allowed: true });
    breakers.failed('dead.example');
    expect(breakers.admit('dead.example')).toEqual({ allowed: false, retryInMs: 1000 });
    expect(breakers.blockedFor('dead.example')).toBe(1000);
    expect(breakers.admit('alive.example')).toEqual({ allowed: true });
    expect(breakers.openHosts()).toBe(1);
    now = 400;
    expect(breakers.admit('dead.example')).toEqual({ allowed: false, retryInMs: 600 });
  });

  it('lets one probe through after the cool-down; a success closes, a failure doubles it', () => {
    let now = 0;
    const breakers = new HostCircuitBreakers(policy, () => now);
    for (let i = 0; i < 3; i++) breakers.failed('flaky.example');
    now = 1000;
    expect(breakers.admit('flaky.example')).toEqual({ allowed: true });
    // The probe is out: nobody else goes until it answers.
    expect(breakers.admit('flaky.example').allowed).toBe(false);
    breakers.failed('flaky.example');
    expect(breakers.admit('flaky.example')).toEqual({ allowed: false, retryInMs: 2000 });
    now = 3000;
    expect(breakers.admit('flaky.example')).toEqual({ allowed: true });
    breakers.failed('flaky.example');
    now = 7000;
    breakers.admit('flaky.example');
    breakers.failed('flaky.example');
    // Capped.
    expect(breakers.blockedFor('flaky.example')).toBe(4000);
    now = 11_000;
    expect(breakers.admit('flaky.example')).toEqual({ allowed: true });
    breakers.succeeded('flaky.example');
    expect(breakers.admit('flaky.example')).toEqual({ allowed: true });
    expect(breakers.openHosts()).toBe(0);
  });
});
