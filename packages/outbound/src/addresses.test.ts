import { describe, expect, it } from 'vitest';

import {
  AddressPolicy,
  BlockedDestinationError,
  parseAllowedPrivateAddresses,
} from './addresses.js';

describe('AddressPolicy.isNonPublic', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd12:3456::1', 'IPv6 unique-local'],
    ['fc00::1', 'IPv6 unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['not-an-address', 'not an address at all'],
  ])('refuses %s (%s)', (address) => {
    expect(AddressPolicy.isNonPublic(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'lets %s through',
    (address) => {
      expect(AddressPolicy.isNonPublic(address)).toBe(false);
    },
  );
});

describe('AddressPolicy.assertReachable', () => {
  const policy = new AddressPolicy(['127.0.0.0/8', '::1/128']);

  it('allows https to public addresses and to allowed private ones', () => {
    expect(() => policy.assertReachable('8.8.8.8', 'https:', 'dns.google')).not.toThrow();
    expect(() => policy.assertReachable('127.0.0.1', 'https:', 'localhost')).not.toThrow();
    expect(() => policy.assertReachable('::ffff:127.0.0.1', 'https:', 'x')).not.toThrow();
  });

  it('allows plain http only to allowed private addresses', () => {
    expect(() => policy.assertReachable('127.0.0.1', 'http:', 'localhost')).not.toThrow();
    expect(() => policy.assertReachable('::1', 'http:', 'localhost')).not.toThrow();
    expect(() => policy.assertReachable('8.8.8.8', 'http:', 'dns.google')).toThrow(/only https/);
  });

  it('refuses private addresses outside the allowed ranges', () => {
    expect(() => policy.assertReachable('10.0.0.1', 'https:', 'intranet')).toThrow(
      BlockedDestinationError,
    );
    expect(() => policy.assertReachable('169.254.169.254', 'http:', 'metadata')).toThrow(
      /ALLOWED_PRIVATE_ADDRESSES/,
    );
  });

  it('refuses loopback when nothing is allowed', () => {
    const strict = new AddressPolicy([]);
    expect(() => strict.assertReachable('127.0.0.1', 'https:', 'localhost')).toThrow(
      BlockedDestinationError,
    );
    expect(() => strict.assertReachable('::ffff:127.0.0.1', 'https:', 'x')).toThrow(
      BlockedDestinationError,
    );
  });
});

describe('parseAllowedPrivateAddresses', () => {
  it('reads a comma-separated list of CIDRs and addresses', () => {
    expect(parseAllowedPrivateAddresses('127.0.0.0/8, ::1/128,10.0.0.5')).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.5',
    ]);
    expect(parseAllowedPrivateAddresses(undefined)).toEqual([]);
    expect(parseAllowedPrivateAddresses('')).toEqual([]);
  });

  it.each(['127.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/x', '10.0.0.0/8/8', '300.1.1.1/8'])(
    'names the bad entry %s',
    (bad) => {
      expect(() => parseAllowedPrivateAddresses(`127.0.0.0/8,${bad}`)).toThrow(
        new RegExp(`ALLOWED_PRIVATE_ADDRESSES: "${bad.replaceAll('.', '\\.')}" is not`),
      );
    },
  );
});
