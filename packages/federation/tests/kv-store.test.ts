/** Fedify's key–value store on PostgreSQL behaves as Fedify expects of any store. */
import { useTestDatabase } from '@murmur/db/testing';
import { Temporal } from '@js-temporal/polyfill';
import { describe, expect, it } from 'vitest';
import { PostgresKvStore } from '../src/kv-store.js';

const testDatabase = useTestDatabase();
const store = () => new PostgresKvStore(testDatabase.database);
const ttl = (milliseconds: number) => Temporal.Duration.from({ milliseconds }) as never;

async function entries(prefix?: readonly [string, ...string[]]) {
  const found: unknown[] = [];
  for await (const entry of store().list(prefix)) found.push([entry.key, entry.value]);
  return found;
}

describe('PostgresKvStore', () => {
  it('sets, gets, replaces and deletes JSON values under key paths', async () => {
    const kv = store();
    expect(await kv.get(['a', 'b'])).toBeUndefined();
    await kv.set(['a', 'b'], { document: { id: 'https://remote.example/x' }, n: 1 });
    expect(await kv.get(['a', 'b'])).toEqual({
      document: { id: 'https://remote.example/x' },
      n: 1,
    });
    await kv.set(['a', 'b'], 'replaced');
    expect(await kv.get(['a', 'b'])).toBe('replaced');
    expect(await kv.get(['a'])).toBeUndefined();
    await kv.delete(['a', 'b']);
    expect(await kv.get(['a', 'b'])).toBeUndefined();
  });

  it('forgets an entry once its time to live has passed', async () => {
    const kv = store();
    await kv.set(['ttl', 'short'], true, { ttl: ttl(50) });
    await kv.set(['ttl', 'long'], true, { ttl: ttl(60_000) });
    expect(await kv.get(['ttl', 'short'])).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await kv.get(['ttl', 'short'])).toBeUndefined();
    expect(await kv.get(['ttl', 'long'])).toBe(true);
  });

  it('compares and sets atomically: only one of many racers wins an absent key', async () => {
    const kv = store();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => kv.cas(['cas', 'race'], undefined, i)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = await kv.get(['cas', 'race']);
    expect(await kv.cas(['cas', 'race'], 'not it', 'x')).toBe(false);
    expect(await kv.cas(['cas', 'race'], winner, { next: true })).toBe(true);
    expect(await kv.get(['cas', 'race'])).toEqual({ next: true });
  });

  it('lists the live entries under a prefix', async () => {
    const kv = store();
    await kv.set(['list', 'x', '1'], 1);
    await kv.set(['list', 'x', '2'], 2);
    await kv.set(['list', 'y'], 3);
    await kv.set(['list', 'x', 'gone'], 4, { ttl: ttl(1) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await entries(['list', 'x'])).toEqual([
      [['list', 'x', '1'], 1],
      [['list', 'x', '2'], 2],
    ]);
    expect((await entries()).length).toBeGreaterThanOrEqual(3);
  });
});
