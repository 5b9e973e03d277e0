import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { AckBatch } from '../src/jetstream/ack-batch.js';

/** The part of a JetStream message AckBatch uses, recording what was sent. */
function fakeMessage(sent: string[], name: string, confirmation: () => Promise<boolean>): JsMsg {
  return {
    ack: () => sent.push(`${name} +ACK`),
    ackAck: async () => {
      sent.push(`${name} +ACK (confirm)`);
      return confirmation();
    },
  } as unknown as JsMsg;
}

describe('AckBatch', () => {
  it('acknowledges the messages of one turn with plain acks and confirms only the last', async () => {
    const sent: string[] = [];
    const batch = new AckBatch(undefined);
    const confirmed = ['a', 'b', 'c'].map((name) =>
      batch.confirm(fakeMessage(sent, name, async () => true)),
    );
    await Promise.all(confirmed);
    expect(sent).toEqual(['a +ACK', 'b +ACK', 'c +ACK (confirm)']);
    // A later turn is a batch of its own.
    await batch.confirm(fakeMessage(sent, 'd', async () => true));
    expect(sent.at(-1)).toBe('d +ACK (confirm)');
  });

  it('reports every message of the batch unconfirmed when the confirmation fails', async () => {
    const sent: string[] = [];
    const batch = new AckBatch(50);
    const timeout = new Error('TIMEOUT');
    const results = await Promise.allSettled(
      ['a', 'b'].map((name) =>
        batch.confirm(fakeMessage(sent, name, async () => Promise.reject(timeout))),
      ),
    );
    expect(results).toEqual([
      { status: 'rejected', reason: timeout },
      { status: 'rejected', reason: timeout },
    ]);
  });
});
