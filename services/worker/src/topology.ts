/**
 * The stream and the two durable pull consumers, created or updated at start-up with explicit
 * settings and verified afterwards (reliability R25); the worker refuses to start on a mismatch.
 *
 * nats-server 2.9 allows one filter subject per consumer, so:
 * - `notifications` filters on UserMentioned (the only event it handles);
 * - `statistics` reads every event (PostCreated and UserMentioned) and marks any other type processed;
 * - `home-feeds` filters on PostCreated (fan-out into the followers' home feeds).
 */
import type { ConsumersByEventType } from '@murmur/db';
import { subjectFor, type EventTopology } from '@murmur/events';
import {
  consumerSettings,
  ensureConsumer,
  ensureStream,
  JetStreamConfigError,
  streamSettings,
  verifyConsumer,
  verifyStream,
  type EventConsumerConfig,
} from '@murmur/events/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';

export const NOTIFICATIONS_CONSUMER = 'notifications';
export const STATISTICS_CONSUMER = 'statistics';
export const HOME_FEEDS_CONSUMER = 'home-feeds';

/** Which consumer must process which event type: the reconciler's and the retention sweep's rule. */
export const CONSUMERS_BY_EVENT_TYPE: ConsumersByEventType = Object.freeze({
  PostCreated: [STATISTICS_CONSUMER, HOME_FEEDS_CONSUMER],
  UserMentioned: [NOTIFICATIONS_CONSUMER, STATISTICS_CONSUMER],
});

export interface TopologySettings {
  duplicateWindowMs: number;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
  /** Replicas of the stream (NATS_STREAM_REPLICAS): 1 on one server, 3 in a three-node cluster. */
  numReplicas?: number;
}

export function workerConsumerSettings(
  topology: EventTopology,
  settings: TopologySettings,
): EventConsumerConfig[] {
  const common = {
    ackWaitMs: settings.ackWaitMs,
    maxDeliver: settings.maxDeliver,
    maxAckPending: settings.maxAckPending,
  };
  return [
    consumerSettings({
      ...common,
      durableName: NOTIFICATIONS_CONSUMER,
      filterSubject: subjectFor(topology, 'UserMentioned'),
      description: 'Mention notifications and e-mails',
    }),
    consumerSettings({
      ...common,
      durableName: STATISTICS_CONSUMER,
      description: 'Daily statistics (PostCreated, UserMentioned)',
    }),
    consumerSettings({
      ...common,
      durableName: HOME_FEEDS_CONSUMER,
      filterSubject: subjectFor(topology, 'PostCreated'),
      description: 'Home feeds fan-out (PostCreated)',
    }),
  ];
}

/** Creates or updates the stream and consumers, then verifies them; throws JetStreamConfigError. */
export async function ensureWorkerTopology(
  jsm: JetStreamManager,
  topology: EventTopology,
  settings: TopologySettings,
): Promise<void> {
  const streamOverrides = {
    duplicateWindowMs: settings.duplicateWindowMs,
    numReplicas: settings.numReplicas ?? 1,
  };
  await ensureStream(jsm, topology, streamOverrides);
  const streamProblems = await verifyStream(
    jsm,
    topology,
    streamSettings(topology, streamOverrides),
  );
  if (streamProblems.length > 0) {
    throw new JetStreamConfigError(
      `stream ${topology.streamName} is not configured as expected`,
      streamProblems,
    );
  }
  for (const consumer of workerConsumerSettings(topology, settings)) {
    await ensureConsumer(jsm, topology, consumer);
    const problems = await verifyConsumer(jsm, topology, consumer);
    if (problems.length > 0) {
      throw new JetStreamConfigError(
        `consumer ${consumer.durable_name} is not configured as expected`,
        problems,
      );
    }
  }
}
