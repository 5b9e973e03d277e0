/**
 * Dead letters (reliability R28). Two ways a message ends up there:
 * - it is not a valid event: the consume helper calls `onInvalid` (recorded here), then terminates it;
 * - its handler failed on every allowed delivery: the server publishes a MAX_DELIVERIES advisory,
 *   and this module fetches the message by its stream sequence and records it.
 * Either way the message stays in the stream, and the consumer keeps flowing.
 */
import { type Database } from '@murmur/db';
import { recordDeadLetter } from '@murmur/db/events';
import type { EventTopology } from '@murmur/events';
import type { InvalidDelivery } from '@murmur/events/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@murmur/service-kit';

const decoder = new TextDecoder();

export function deadLetterRecorder(
  database: Database,
  consumer: string,
  logger: Logger,
  /** Called when this process stored a new dead letter (metrics). */
  onStored?: () => void,
) {
  return async (raw: InvalidDelivery): Promise<void> => {
    const stored = await recordDeadLetter(database, {
      consumer,
      subject: raw.subject,
      streamSeq: raw.streamSeq,
      payload: decoder.decode(raw.data),
      error: raw.error.message,
      deliveryCount: raw.deliveryCount,
    });
    if (stored) onStored?.();
    logger.warn(
      {
        consumer,
        streamSeq: raw.streamSeq,
        subject: raw.subject,
        error: raw.error.message,
        stored,
      },
      'invalid event stored as a dead letter',
    );
  };
}

interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/** Subscribes to the MAX_DELIVERIES advisories of the worker's consumers. */
export function watchMaxDeliveries(options: {
  nc: NatsConnection;
  jsm: JetStreamManager;
  database: Database;
  topology: EventTopology;
  logger: Logger;
  /** Called when this process stored a new dead letter (metrics). */
  onStored?: (consumer: string) => void;
}): { stop(): void } {
  const { nc, jsm, database, topology, logger } = options;
  const subscription: Subscription = nc.subscribe(
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${topology.streamName}.*`,
  );
  void (async () => {
    for await (const msg of subscription) {
      try {
        const advisory = JSON.parse(decoder.decode(msg.data)) as MaxDeliveriesAdvisory;
        const stored = await jsm.streams.getMessage(topology.streamName, {
          seq: advisory.stream_seq,
        });
        const recorded = await recordDeadLetter(database, {
          consumer: advisory.consumer,
          subject: stored?.subject ?? '',
          streamSeq: advisory.stream_seq,
          payload: stored ? decoder.decode(stored.data) : '',
          error: `handler failed on all ${advisory.deliveries} deliveries`,
          deliveryCount: advisory.deliveries,
        });
        if (recorded) options.onStored?.(advisory.consumer);
        logger.error(
          {
            consumer: advisory.consumer,
            streamSeq: advisory.stream_seq,
            deliveries: advisory.deliveries,
          },
          'event failed on every delivery; stored as a dead letter (the reconciler will republish it later)',
        );
      } catch (err) {
        logger.error({ err }, 'could not record a MAX_DELIVERIES advisory');
      }
    }
  })();
  return { stop: () => subscription.unsubscribe() };
}
