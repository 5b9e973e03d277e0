import type { JsMsg } from '@nats-io/jetstream';

/**
 * Acknowledgements confirmed together: the messages whose handlers finished in the same turn of
 * the event loop are acknowledged with plain `+ACK`s, and only the last one with `ackAck()`. The
 * server reads a connection's protocol in order and a consumer applies its acks in the order they
 * arrive, so the one confirmation answers for every ack sent before it on the connection: one
 * request (a reply inbox, a timer, an async stack trace) per batch instead of one per message.
 *
 * If the confirmation fails (timeout, connection lost) every message of the batch is reported
 * unconfirmed: some may be delivered again, which handlers already tolerate (they are idempotent,
 * most through their processed-event marker).
 */
export class AckBatch {
  private pending: Array<{ msg: JsMsg; settle: (err?: unknown) => void }> = [];

  constructor(private readonly ackTimeoutMs: number | undefined) {}

  /** Resolves once the server confirmed this message's acknowledgement; rejects if it did not. */
  confirm(msg: JsMsg): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.send());
      this.pending.push({ msg, settle: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  }

  private async send(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let failure: unknown;
    try {
      for (let i = 0; i < batch.length - 1; i++) batch[i]!.msg.ack();
      const timeout = this.ackTimeoutMs;
      await batch[batch.length - 1]!.msg.ackAck(timeout !== undefined ? { timeout } : undefined);
    } catch (err) {
      failure = err ?? new Error('acknowledgement not confirmed');
    }
    for (const { settle } of batch) settle(failure);
  }
}
