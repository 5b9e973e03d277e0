import { JetStreamApiError } from '@nats-io/jetstream';
import { errors, RequestError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../contracts.js';
import { isUnknownPublishOutcome } from './publish.js';

describe('isUnknownPublishOutcome', () => {
  it('is true for timeouts, no responders and connection trouble', () => {
    expect(isUnknownPublishOutcome(new errors.TimeoutError())).toBe(true);
    expect(isUnknownPublishOutcome(new errors.ClosedConnectionError())).toBe(true);
    expect(isUnknownPublishOutcome(new errors.ConnectionError('reset'))).toBe(true);
    const noResponders = new RequestError('no responders', {
      cause: new errors.NoRespondersError('$JS.API'),
    });
    expect(isUnknownPublishOutcome(noResponders)).toBe(true);
    const wrapped = new Error('jetstream is not enabled', { cause: noResponders });
    wrapped.name = 'JetStreamNotEnabled';
    expect(isUnknownPublishOutcome(wrapped)).toBe(true);
  });

  it('is false for definite rejections', () => {
    expect(isUnknownPublishOutcome(new InvalidEventError('bad'))).toBe(false);
    const wrongStream = new JetStreamApiError({
      code: 400,
      err_code: 10060,
      description: 'expected stream does not match',
    });
    expect(isUnknownPublishOutcome(wrongStream)).toBe(false);
    expect(isUnknownPublishOutcome(new Error('boom', { cause: new errors.TimeoutError() }))).toBe(
      false,
    );
    expect(isUnknownPublishOutcome('timeout')).toBe(false);
    expect(isUnknownPublishOutcome(undefined)).toBe(false);
  });
});
