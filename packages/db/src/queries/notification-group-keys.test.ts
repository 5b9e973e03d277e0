import { describe, expect, it } from 'vitest';
import { notificationGroupKey, parseGroupKey, windowOfId } from './notification-group-keys.js';

const idAt = (iso: string, sequence = 0) =>
  ((BigInt(Date.parse(iso)) << 16n) | BigInt(sequence)).toString();

describe('notification group keys', () => {
  it('groups one status’s favourites, and follows, by 12-hour window; never mentions', () => {
    const morning = idAt('2024-08-23T01:00:00Z');
    const noonish = idAt('2024-08-23T11:59:59.999Z', 65535);
    const afternoon = idAt('2024-08-23T12:00:00Z');
    const hour = Math.floor(Date.parse('2024-08-23T00:00:00Z') / 3_600_000);
    expect(hour % 12).toBe(0);
    const favourite = (id: string) =>
      notificationGroupKey({ id, type: 'favourite', statusId: '42' });
    expect(favourite(morning)).toBe(`favourite-42-${hour}`);
    expect(favourite(noonish)).toBe(`favourite-42-${hour}`);
    expect(favourite(afternoon)).toBe(`favourite-42-${hour + 12}`);
    expect(notificationGroupKey({ id: morning, type: 'follow', statusId: null })).toBe(
      `follow-${hour}`,
    );
    expect(notificationGroupKey({ id: morning, type: 'mention', statusId: '42' })).toBe(
      `ungrouped-${morning}`,
    );
    // grouped_types[] without favourite: each favourite stands alone.
    expect(
      notificationGroupKey({ id: morning, type: 'favourite', statusId: '42' }, ['follow']),
    ).toBe(`ungrouped-${morning}`);
  });

  it('parses the keys it makes back into their members, and nothing else', () => {
    const id = idAt('2024-08-23T05:00:00Z', 7);
    const window = windowOfId(id);
    expect(parseGroupKey(notificationGroupKey({ id, type: 'reblog', statusId: '9' }))).toEqual({
      kind: 'grouped',
      type: 'reblog',
      statusId: '9',
      firstId: window.firstId,
      lastId: window.lastId,
    });
    expect(BigInt(window.firstId) <= BigInt(id) && BigInt(id) <= BigInt(window.lastId)).toBe(true);
    expect(BigInt(window.lastId) + 1n).toBe(BigInt(idAt('2024-08-23T12:00:00Z')));
    expect(parseGroupKey(`ungrouped-${id}`)).toEqual({ kind: 'single', notificationId: id });
    for (const bad of [
      'mention-1-12',
      'favourite-1-13',
      'follow-x',
      'ungrouped-99999999999999999999',
      'favourite--12',
      '',
    ]) {
      expect(parseGroupKey(bad), bad).toBeNull();
    }
  });
});
