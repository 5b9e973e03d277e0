import { describe, expect, it } from 'vitest';
import { profilePath, profileUrl, statusPath, statusUrl, tagUrl } from './public-urls.js';

describe('the public URL scheme', () => {
  it('builds profile, status and tag URLs, each part encoded', () => {
    expect(profilePath('alice')).toBe('/@alice');
    expect(statusPath('alice', '123')).toBe('/@alice/123');
    expect(profileUrl('https://m.example', 'a/b?c')).toBe('https://m.example/@a%2Fb%3Fc');
    expect(statusUrl('https://m.example', 'bob', '42')).toBe('https://m.example/@bob/42');
    expect(tagUrl('https://m.example', 'café')).toBe('https://m.example/tags/caf%C3%A9');
  });
});
