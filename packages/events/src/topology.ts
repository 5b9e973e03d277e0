/**
 * Where events live on NATS. One stream holds every event; each type has its own subject under a
 * common prefix. The names are parameters so that tests (and several deployments sharing one NATS)
 * get their own stream and subjects and never see each other's messages.
 */
import { CONTRACTS, type EventType } from './contracts.js';

export interface EventTopology {
  /** JetStream stream name. */
  readonly streamName: string;
  /** Subject prefix; the stream captures `<prefix>.>`. */
  readonly subjectPrefix: string;
}

export const DEFAULT_TOPOLOGY: EventTopology = Object.freeze({
  streamName: 'MURMUR_EVENTS',
  subjectPrefix: 'murmur.events',
});

/** The subject of an event type and version (the tokens are declared with the contracts). */
export function subjectFor(topology: EventTopology, type: EventType): string {
  return `${topology.subjectPrefix}.${CONTRACTS[type].subject}`;
}

export function streamSubjects(topology: EventTopology): string[] {
  return [`${topology.subjectPrefix}.>`];
}

/** A topology whose names are unique to one test file or run. */
export function isolatedTopology(tag: string): EventTopology {
  const safe = tag.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return { streamName: `T_${safe.toUpperCase()}_EVENTS`, subjectPrefix: `t.${safe}.events` };
}
