import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@murmur/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('NATS_STREAM_REPLICAS', () => {
  it('defaults to one replica and accepts 1 to 5', () => {
    expect(loadConfig({}).streamReplicas).toBe(1);
    expect(loadConfig({ NATS_STREAM_REPLICAS: '3' }).streamReplicas).toBe(3);
  });

  it('refuses values a JetStream cluster cannot have', () => {
    for (const value of ['0', '6', 'three']) {
      expect(() => loadConfig({ NATS_STREAM_REPLICAS: value })).toThrow(ConfigurationError);
    }
  });
});

describe('NATS_URL and its credentials', () => {
  it('accepts the seeds of a cluster, with credentials and TLS', () => {
    const seeds = 'nats://127.0.0.1:4461,nats://127.0.0.1:4462,nats://127.0.0.1:4463';
    expect(loadConfig({ NATS_URL: seeds }).natsUrl).toBe(seeds);
    expect(() =>
      loadConfig({ NATS_URL: 'tls://murmur:pw@a:4443,tls://murmur:pw@b:4443' }),
    ).not.toThrow();
  });

  it('names NATS_URL when an entry is not a NATS URL', () => {
    for (const value of [
      'http://a:4222',
      'nats://a:4222,nats://b:x',
      'nats://u:1@a,nats://u:2@b',
    ]) {
      expect(() => loadConfig({ NATS_URL: value }), value).toThrow(/NATS_URL: /);
    }
  });

  it('refuses credential files that do not exist, and a certificate without its key', () => {
    expect(() => loadConfig({ NATS_CREDS_FILE: '/nonexistent/murmur.creds' })).toThrow(
      /NATS_CREDS_FILE names no file/,
    );
    const cert = fileURLToPath(import.meta.url);
    expect(() => loadConfig({ NATS_TLS_CERT_FILE: cert })).toThrow(
      /NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together/,
    );
    expect(loadConfig({ NATS_CREDS_FILE: cert }).natsAuth.credsFile).toBe(cert);
  });
});
