import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  natsConnectionOptions,
  natsSettingsProblems,
  NatsUrlError,
  parseNatsServers,
  redactNatsUrl,
} from './servers.js';

describe('parseNatsServers', () => {
  it('takes every seed of a comma-separated list, in order, with default ports', () => {
    expect(
      parseNatsServers('nats://127.0.0.1:4461, nats://127.0.0.1:4462,nats://nats-3').servers,
    ).toEqual(['127.0.0.1:4461', '127.0.0.1:4462', 'nats-3:4222']);
    expect(parseNatsServers('127.0.0.1:4222').servers).toEqual(['127.0.0.1:4222']);
  });

  it('reads a user and password, or a token, from the URLs', () => {
    expect(parseNatsServers('nats://murmur:s%40cret@a:4222,nats://murmur:s%40cret@b:4222')).toEqual(
      { servers: ['a:4222', 'b:4222'], user: 'murmur', pass: 's@cret', tls: false },
    );
    expect(parseNatsServers('nats://t0ken@a:4222,nats://b:4222')).toEqual({
      servers: ['a:4222', 'b:4222'],
      token: 't0ken',
      tls: false,
    });
  });

  it('asks for TLS when a server is given as tls://', () => {
    expect(parseNatsServers('tls://a:4443').tls).toBe(true);
    expect(parseNatsServers('nats://a:4222').tls).toBe(false);
  });

  it('refuses what is not a list of NATS URLs, without echoing passwords', () => {
    for (const bad of [
      '',
      ' , ',
      'http://a:4222',
      'nats://a:4222/path',
      'nats://a:notaport',
      'nats://u:one@a:4222,nats://u:two@b:4222',
    ]) {
      expect(() => parseNatsServers(bad), bad).toThrow(NatsUrlError);
    }
    try {
      parseNatsServers('http://user:hunter2@a:4222');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('natsConnectionOptions', () => {
  it('passes servers, credentials and TLS files on to nats.js', () => {
    const options = natsConnectionOptions('tls://u:p@a:4443,tls://u:p@b:4443', {
      tlsCaFile: '/etc/ca.pem',
    });
    expect(options).toMatchObject({
      servers: ['a:4443', 'b:4443'],
      user: 'u',
      pass: 'p',
      tls: { caFile: '/etc/ca.pem' },
    });
    expect(natsConnectionOptions('nats://a:4222').tls).toBeUndefined();
  });

  it('reads a creds file into an authenticator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'murmur-creds-'));
    const file = join(dir, 'user.creds');
    writeFileSync(file, '-----BEGIN NATS USER JWT-----\nabc\n------END NATS USER JWT------\n');
    expect(typeof natsConnectionOptions('nats://a', { credsFile: file }).authenticator).toBe(
      'function',
    );
  });
});

describe('natsSettingsProblems', () => {
  it('names NATS_URL and a half-given client certificate', () => {
    expect(natsSettingsProblems('nats://a:4222')).toEqual([]);
    expect(natsSettingsProblems('http://a')).toEqual([expect.stringMatching(/^NATS_URL: /)]);
    expect(natsSettingsProblems('nats://a', { tlsCertFile: '/c.pem' })).toEqual([
      expect.stringMatching(/NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE/),
    ]);
  });
});

it('redactNatsUrl hides every credential of a list', () => {
  expect(redactNatsUrl('nats://u:p@a:1,nats://tok@b:2,nats://c:3')).toBe(
    'nats://***@a:1,nats://***@b:2,nats://c:3',
  );
});
