import { JetStreamApiError } from '@nats-io/jetstream';
import { errors as natsErrors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { isMissingTopologyError } from './keeper.js';

const apiError = (err_code: number, code = 404) =>
  new JetStreamApiError({ code, err_code, description: `error ${err_code}` });

describe('isMissingTopologyError', () => {
  it('recognises a missing stream or consumer and a JetStream that does not answer', () => {
    expect(isMissingTopologyError(apiError(10059))).toBe(true); // stream not found
    expect(isMissingTopologyError(apiError(10014))).toBe(true); // consumer not found
    expect(isMissingTopologyError(apiError(10076, 503))).toBe(true); // JetStream not enabled
    // How nats.js reports a JetStream API request nobody answered (the class is not exported).
    const notEnabled = Object.assign(
      new Error('jetstream is not enabled', {
        cause: new natsErrors.NoRespondersError('$JS.API.STREAM.INFO.X'),
      }),
      { name: 'JetStreamNotEnabled' },
    );
    expect(isMissingTopologyError(notEnabled)).toBe(true);
    expect(isMissingTopologyError(new natsErrors.NoRespondersError('murmur.events.x'))).toBe(true);
  });

  it('leaves other failures to the ordinary retries', () => {
    expect(isMissingTopologyError(apiError(10058, 400))).toBe(false); // stream name in use
    expect(isMissingTopologyError(new natsErrors.TimeoutError())).toBe(false);
    expect(isMissingTopologyError(new Error('boom'))).toBe(false);
    expect(isMissingTopologyError(undefined)).toBe(false);
  });
});
