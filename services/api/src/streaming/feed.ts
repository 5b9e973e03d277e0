/**
 * Where the streaming API hears of events: a plain (core) NATS subscription to the subjects of the
 * events it streams, on every API process.
 *
 * Why not a JetStream consumer: a live stream is best-effort by nature (Mastodon feeds it from Redis
 * pub/sub); a client that reconnects reloads its timeline over REST, so replaying what a process
 * missed while NATS was away would only deliver stale events late. Every event the worker relays to
 * the stream is an ordinary NATS publish on its subject, so a core subscription sees it with no
 * server-side state per replica (an ephemeral consumer per process would need creating, tracking
 * and cleaning up). The API starts and serves REST without NATS; the connection retries forever.
 */
import { decodeEvent, subjectFor, type DomainEvent } from '@murmur/events';
import { connectToNats, watchConnectionClosed, type NatsAuthFiles } from '@murmur/events/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyBaseLogger } from 'fastify';
import { STREAMED_EVENT_TYPES } from './fanout.js';

export interface EventFeed {
  /** Starts delivering events to `handler` (once). */
  start(handler: (event: DomainEvent) => void): void;
  /** Whether events can currently arrive. */
  connected(): boolean;
  close(): Promise<void>;
}

export interface NatsEventFeedOptions {
  url: string;
  auth?: NatsAuthFiles;
  subjectPrefix: string;
  logger: FastifyBaseLogger;
  /** Connection name shown by the NATS server. */
  name?: string;
}

const RECONNECT_AFTER_CLOSE_MS = 2_000;

export function natsEventFeed(options: NatsEventFeedOptions): EventFeed {
  const { logger } = options;
  const topology = { streamName: '', subjectPrefix: options.subjectPrefix };
  let connection: NatsConnection | null = null;
  let closing = false;
  let started = false;

  async function run(handler: (event: DomainEvent) => void): Promise<void> {
    while (!closing) {
      let nc: NatsConnection;
      try {
        nc = await connectToNats({
          url: options.url,
          ...(options.auth ? { auth: options.auth } : {}),
          name: options.name ?? 'murmur-api-streaming',
          logger,
        });
      } catch (err) {
        logger.warn({ err }, 'streaming: cannot connect to NATS; retrying');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_AFTER_CLOSE_MS));
        continue;
      }
      if (closing) {
        await nc.close();
        return;
      }
      connection = nc;
      for (const type of STREAMED_EVENT_TYPES) {
        nc.subscribe(subjectFor(topology, type), {
          callback: (err, message) => {
            if (err) {
              logger.warn({ err }, 'streaming: NATS subscription error');
              return;
            }
            let event: DomainEvent;
            try {
              event = decodeEvent(message.data);
            } catch (invalid) {
              logger.warn({ err: invalid, subject: message.subject }, 'streaming: invalid event');
              return;
            }
            handler(event);
          },
        });
      }
      const closed = new Promise<Error | undefined>((resolve) => {
        watchConnectionClosed(nc, resolve);
      });
      const err = await closed;
      connection = null;
      if (closing) return;
      logger.error({ err }, 'streaming: NATS connection closed; connecting again');
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_AFTER_CLOSE_MS));
    }
  }

  return {
    start(handler) {
      if (started) return;
      started = true;
      void run(handler);
    },
    connected: () => connection !== null && !connection.isClosed(),
    async close() {
      closing = true;
      const nc = connection;
      connection = null;
      if (nc) await nc.close().catch(() => {});
    },
  };
}
