import { describe, expect, it } from 'vitest';
import { seededRandom, ZipfSampler } from './random.js';

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed, and another for another seed', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    for (const value of take(7)) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe('ZipfSampler', () => {
  it('is deterministic with a seed', () => {
    const draw = () => {
      const sampler = new ZipfSampler(1_000, 1.1, seededRandom(1));
      return Array.from({ length: 50 }, () => sampler.sample());
    };
    expect(draw()).toEqual(draw());
  });

  it('is skewed: rank 0 is drawn most, about as often as its probability says', () => {
    const sampler = new ZipfSampler(1_000, 1.0, seededRandom(3));
    const counts = new Array<number>(1_000).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[sampler.sample()]!++;
    expect(counts[0]).toBe(Math.max(...counts));
    expect(counts[0]! / draws).toBeCloseTo(sampler.probability(0), 2);
    // 1 / H(1000) ≈ 0.1336: the top rank alone gets about an eighth of everything.
    expect(sampler.probability(0)).toBeCloseTo(0.1336, 3);
    expect(counts[0]! > 50 * counts[999]!).toBe(true);
  });

  it('only returns ranks within range', () => {
    const sampler = new ZipfSampler(3, 2, seededRandom(9));
    for (let i = 0; i < 1_000; i++) expect([0, 1, 2]).toContain(sampler.sample());
  });
});
