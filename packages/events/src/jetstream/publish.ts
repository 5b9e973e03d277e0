/**
 * Publishing one event (used by the outbox relay, reliability R23).
 *
 * The envelope id is the JetStream message id, so a retry of the same outbox row inside the stream's
 * duplicate window is acknowledged as `duplicate: true` instead of being stored twice.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { errors as natsErrors, headers, RequestError } from '@nats-io/transport-node';
import { parseEvent, type DomainEvent } from '../contracts.js';
import { subjectFor, type EventTopology } from '../topology.js';

/** Header carrying the HTTP request id that caused the event, for log correlation. */
export const REQUEST_ID_HEADER = 'Murmur-Request-Id';

export interface PublishEventOptions {
  /** How long to wait for the PubAck; default the JetStream client's timeout (5 s). */
  timeoutMs?: number;
}

export interface PublishEventResult {
  /** Stream sequence of the stored message (of the original one for a duplicate). */
  seq: number;
  /** True when the stream already had this event id inside its duplicate window. */
  duplicate: boolean;
}

/**
 * Validates and publishes `event`, waiting for the stream's PubAck. Throws `InvalidEventError` before
 * sending anything when the event does not match its schema. Other errors propagate: use
 * {@link isUnknownPublishOutcome} to decide whether to retry (with the same event, hence msgID).
 */
export async function publishEvent(
  js: JetStreamClient,
  topology: EventTopology,
  event: DomainEvent,
  opts: PublishEventOptions = {},
): Promise<PublishEventResult> {
  const valid = parseEvent(event);
  const hdrs = headers();
  if (valid.requestId !== null && isHeaderSafe(valid.requestId)) {
    hdrs.set(REQUEST_ID_HEADER, valid.requestId);
  }
  const pa = await js.publish(subjectFor(topology, valid.type), JSON.stringify(valid), {
    msgID: valid.id,
    headers: hdrs,
    expect: { streamName: topology.streamName },
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
  return { seq: pa.seq, duplicate: pa.duplicate };
}

/** Printable ASCII only: a header value with CR/LF would corrupt the protocol. */
function isHeaderSafe(value: string): boolean {
  return value.length > 0 && /^[\x20-\x7e]+$/.test(value);
}

const UNKNOWN_OUTCOME_ERRORS = new Set([
  'TimeoutError',
  'NoResponders',
  'NoRespondersError',
  'ClosedConnectionError',
  'ConnectionError',
  'DrainingConnectionError',
]);

/**
 * True when a publish failed in a way that leaves its outcome unknown or transient: a timeout (the
 * message may have been stored anyway — nats.node #628), no responders (the stream leader is
 * unavailable, e.g. during a restart), or a connection problem. The caller keeps the outbox row
 * pending and retries later with the same event id. False for definite rejections (invalid event,
 * wrong stream, permissions) that a retry would not fix.
 */
export function isUnknownPublishOutcome(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (isTransientNatsError(e)) return true;
    // nats.js wraps "no responders" from the JetStream API as JetStreamNotEnabled, and request
    // failures as RequestError; the cause tells a transient failure from a real misconfiguration.
    if (!WRAPPER_ERRORS.has(e.name)) return false;
  }
  return false;
}

const WRAPPER_ERRORS = new Set(['JetStreamNotEnabled', 'RequestError']);

function isTransientNatsError(e: Error): boolean {
  return (
    e instanceof natsErrors.TimeoutError ||
    e instanceof natsErrors.NoRespondersError ||
    e instanceof natsErrors.ClosedConnectionError ||
    e instanceof natsErrors.ConnectionError ||
    e instanceof natsErrors.DrainingConnectionError ||
    (e instanceof RequestError && e.isNoResponders()) ||
    // Matched by name too, in case another copy of the NATS libraries created the error.
    UNKNOWN_OUTCOME_ERRORS.has(e.name)
  );
}
