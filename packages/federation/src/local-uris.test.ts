import { describe, expect, it } from 'vitest';
import { localActorUri, localStatusUri, parseLocalStatusUri } from './local-uris.js';

const origin = 'https://murmur.example';

describe('local ActivityPub identifiers', () => {
  it('builds Mastodon-shaped actor and status ids', () => {
    expect(localActorUri(origin, 'alice')).toBe('https://murmur.example/users/alice');
    expect(localStatusUri(origin, 'alice', '123')).toBe(
      'https://murmur.example/users/alice/statuses/123',
    );
  });

  it('reads back the status a local id names', () => {
    expect(parseLocalStatusUri(origin, localStatusUri(origin, 'alice', '123'))).toEqual({
      username: 'alice',
      statusId: '123',
    });
  });

  it.each([
    'https://other.example/users/alice/statuses/123',
    'https://murmur.example/@alice/123',
    'https://murmur.example/users/alice/statuses/123?x=1',
    'https://murmur.example/users/alice/statuses/12a',
    'https://murmur.example/users/al%20ice/statuses/1',
    'not a url',
  ])('refuses what is not a local status id: %s', (uri) => {
    expect(parseLocalStatusUri(origin, uri)).toBeNull();
  });
});
