import { describe, expect, it } from 'vitest';
import {
  matchesRegisteredUri,
  redirectUriCspSource,
  redirectUriProblem,
  splitRedirectUris,
} from './redirect-uris.js';

describe('redirectUriProblem', () => {
  it.each([
    'https://app.example/cb',
    'http://127.0.0.1:8080/cb',
    'http://[::1]/cb',
    'http://localhost:4000/callback',
    'com.tapbots.Ivory.10217:/request_token',
    'urn:ietf:wg:oauth:2.0:oob',
  ])('accepts %s', (uri) => expect(redirectUriProblem(uri)).toBeNull());

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,hi',
    'vbscript:x',
    'file:///etc/passwd',
    'https://app.example/cb#frag',
    'http://app.example/cb',
    '/relative',
    'https://app.example/a b',
  ])('rejects %s', (uri) => expect(redirectUriProblem(uri)).not.toBeNull());
});

describe('matchesRegisteredUri', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1:3000/cb'];
  it('matches byte for byte', () => {
    expect(matchesRegisteredUri(registered, 'https://app.example/cb')).toBe(true);
    for (const uri of [
      'https://app.example/cb/',
      'https://APP.example/cb',
      'https://app.example/c%62',
      'https://app.example/cb?x=1',
    ]) {
      expect(matchesRegisteredUri(registered, uri)).toBe(false);
    }
  });
  it('lets loopback redirects change only the port', () => {
    expect(matchesRegisteredUri(registered, 'http://127.0.0.1:49152/cb')).toBe(true);
    expect(matchesRegisteredUri(registered, 'http://127.0.0.1/cb')).toBe(true);
    expect(matchesRegisteredUri(registered, 'http://127.0.0.1:49152/cb2')).toBe(false);
    expect(matchesRegisteredUri(registered, 'http://localhost:3000/cb')).toBe(false);
  });
});

it('splits newline- or space-separated lists', () => {
  expect(
    splitRedirectUris('https://a.example/cb\nhttps://b.example/cb  https://a.example/cb'),
  ).toEqual(['https://a.example/cb', 'https://b.example/cb']);
  expect(splitRedirectUris(['https://a.example/cb'])).toEqual(['https://a.example/cb']);
});

describe('redirectUriCspSource', () => {
  it.each([
    ['https://app.example/cb?x=1', 'https://app.example'],
    ['https://APP.example:8443/cb', 'https://app.example:8443'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:8080'],
    ['ivory://oauth', 'ivory:'],
    ['com.tapbots.Ivory.10217:/request_token', 'com.tapbots.ivory.10217:'],
  ])('allows %s as %s', (uri, source) => expect(redirectUriCspSource(uri)).toBe(source));

  it.each([
    'urn:ietf:wg:oauth:2.0:oob',
    'http://[::1]:8080/cb',
    "https://a;script-src 'unsafe-inline'.example/",
    'https://a;b.example/cb',
    "https://a'b.example/cb",
    'https://*.example/cb',
    'not a uri',
  ])('names nothing for %s', (uri) => expect(redirectUriCspSource(uri)).toBeNull());
});
