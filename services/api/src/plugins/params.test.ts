import { describe, expect, it } from 'vitest';
import { dropBlankValues, parseQueryString } from './params.js';
import { addressKey } from './rate-limit.js';

describe('parseQueryString', () => {
  it('reads Rails arrays and nested keys; a repeated plain key keeps its last value', () => {
    expect(
      parseQueryString(
        'types[]=mention&types[]=follow&limit=1&limit=2&poll[options][]=a&poll[multiple]=true',
      ),
    ).toEqual({
      types: ['mention', 'follow'],
      limit: '2',
      poll: { options: ['a'], multiple: 'true' },
    });
  });

  it('never touches prototypes', () => {
    const parsed = parseQueryString(
      '__proto__[polluted]=1&a[constructor][prototype][x]=1&constructor=1',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toEqual([]);
  });
});

it('drops blank values, in arrays and nested objects too', () => {
  const value = { limit: '', types: ['', 'a'], poll: { expires_in: '' }, keep: '0' };
  dropBlankValues(value);
  expect(value).toEqual({ types: ['a'], poll: {}, keep: '0' });
});

it('groups IPv6 addresses by /64 for rate limits', () => {
  expect(addressKey('203.0.113.4')).toBe('203.0.113.4');
  expect(addressKey('::ffff:203.0.113.4')).toBe('203.0.113.4');
  expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
  expect(addressKey('2001:db8:1:2::9')).toBe(addressKey('2001:0db8:0001:0002:ffff::1'));
  expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
});
