import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('grants up to size, then queues, and hands a released slot to the next waiter', async () => {
    const slots = new Slots(2);
    expect(await slots.acquire()).toBe(true);
    expect(await slots.acquire()).toBe(true);
    let third: boolean | undefined;
    const pending = slots.acquire().then((v) => (third = v));
    await Promise.resolve();
    expect(third).toBeUndefined();
    slots.release();
    await pending;
    expect(third).toBe(true);
    expect(slots.inUse).toBe(2);
  });

  it('releases waiters empty-handed on abort', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const waiting = slots.acquire();
    slots.abortWaiters();
    expect(await waiting).toBe(false);
    slots.release();
    expect(slots.inUse).toBe(0);
  });
});
