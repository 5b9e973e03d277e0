import { describe, expect, it } from 'vitest';
import { httpStatusOfDomainError } from './domain-errors.js';
import { profilePath, profileUrl, statusPath, statusUrl, tagUrl } from './public-urls.js';

describe('the domain-error → HTTP status map (one for the API and the website)', () => {
  it('answers 404 for what is missing, 403 for what the rules forbid, 422 for bad input', () => {
    expect(httpStatusOfDomainError('StatusNotFound')).toBe(404);
    expect(httpStatusOfDomainError('AccountNotFound')).toBe(404);
    expect(httpStatusOfDomainError('NotAllowed')).toBe(403);
    expect(httpStatusOfDomainError('CannotFollowSelf')).toBe(403);
    expect(httpStatusOfDomainError('EmailNotConfirmed')).toBe(403);
    expect(httpStatusOfDomainError('TextTooLong')).toBe(422);
    expect(httpStatusOfDomainError('UsernameTaken')).toBe(422);
  });
});

describe('the public URL scheme', () => {
  it('builds profile, status and tag URLs, each part encoded', () => {
    expect(profilePath('alice')).toBe('/@alice');
    expect(statusPath('alice', '123')).toBe('/@alice/123');
    expect(profileUrl('https://m.example', 'a/b?c')).toBe('https://m.example/@a%2Fb%3Fc');
    expect(statusUrl('https://m.example', 'bob', '42')).toBe('https://m.example/@bob/42');
    expect(tagUrl('https://m.example', 'café')).toBe('https://m.example/tags/caf%C3%A9');
  });
});
