import { describe, expect, it } from 'vitest';
import { parseScopes, scopesAllow, scopesWithin, unknownScopes } from './scopes.js';

describe('scopes', () => {
  it('parses space-, plus- and comma-separated lists without duplicates', () => {
    expect(parseScopes('read write+follow,read')).toEqual(['read', 'write', 'follow']);
    expect(parseScopes(undefined)).toEqual([]);
    expect(
      unknownScopes(['read', 'read:statuses', 'admin:read:accounts', 'sudo', 'read:']),
    ).toEqual(['sudo', 'read:']);
  });

  it('is hierarchical and any-of', () => {
    expect(scopesAllow(['read'], ['read:statuses'])).toBe(true);
    expect(scopesAllow(['read:statuses'], ['read'])).toBe(false);
    expect(scopesAllow(['write'], ['read:statuses'])).toBe(false);
    expect(scopesAllow(['read:accounts'], ['read:statuses', 'read:accounts'])).toBe(true);
    expect(scopesAllow(['admin:read'], ['admin:read:accounts'])).toBe(true);
    expect(scopesAllow(['read'], ['admin:read:accounts'])).toBe(false);
    expect(scopesAllow([], [])).toBe(true);
  });

  it('lets follow grant follows, blocks and mutes only, and profile only itself', () => {
    expect(scopesAllow(['follow'], ['write:follows'])).toBe(true);
    expect(scopesAllow(['follow'], ['read:blocks'])).toBe(true);
    expect(scopesAllow(['follow'], ['write:statuses'])).toBe(false);
    expect(scopesAllow(['profile'], ['read:accounts'])).toBe(false);
    expect(scopesAllow(['profile'], ['read:accounts', 'profile'])).toBe(true);
  });

  it('checks that a request stays within the app scopes', () => {
    expect(scopesWithin(['read:statuses', 'write'], ['read', 'write'])).toBe(true);
    expect(scopesWithin(['read', 'push'], ['read', 'write'])).toBe(false);
  });
});
