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
