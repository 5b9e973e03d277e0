/**
 * The stream and the durable pull consumers declared in `consumers.ts`, created or updated at
 * start-up with explicit settings and verified afterwards (reliability R25); the worker refuses to
 * start on a mismatch. A consumer's filter follows from the types it handles (one type: its
 * subject; several: the whole stream, nats-server 2.9 allowing one filter); a changed filter is
 * updated in place (`ensureConsumer`), so the durable keeps its position. Events published while an
 * older worker's filter hid them are found by the reconciler, which republishes what a consumer owes.
 */
import type { EventTopology } from '@murmur/events';
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
import { CONSUMERS, filterSubjectOf } from './consumers.js';

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
  return CONSUMERS.map((consumer) => {
    const filterSubject = filterSubjectOf(consumer, topology);
    return consumerSettings({
      ...common,
      durableName: consumer.name,
      ...(filterSubject ? { filterSubject } : {}),
      description: consumer.description,
    });
  });
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
