/**
 * Connecting to NATS with settings that survive outages (reliability R30).
 *
 * nats.js defaults are wrong for a long-running service: it gives up after 10 reconnect attempts
 * (~20 s of outage), fails immediately when the server is not up yet, and only notices a silent
 * server (SIGSTOP, black-holed network) after 2 × 120 s of unanswered pings.
 */
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { silentLogger, type LoggerLike } from './logger.js';
import { natsConnectionOptions, redactNatsUrl, type NatsAuthFiles } from './servers.js';

export interface ConnectToNatsOptions {
  /**
   * One server URL, or several (a cluster's seeds) separated by commas; credentials in the URL
   * (`nats://user:password@…`, `nats://token@…`) and `tls://` are honoured (see `parseNatsServers`).
   */
  url: string;
  /** A creds file and TLS files (NATS_CREDS_FILE, NATS_TLS_*). */
  auth?: NatsAuthFiles;
  /** Connection name shown by the server (`/connz`); use the service name. */
  name: string;
  logger?: LoggerLike;
  /** Low-level overrides (tests use them for shorter timings). Applied last. */
  connectionOptions?: Partial<NodeConnectionOptions>;
}

/** The connection settings `connectToNats` uses, before `connectionOptions` overrides. */
export const NATS_CONNECTION_DEFAULTS = Object.freeze({
  /** Never give up: the supervisor, not the client, decides when the process dies. */
  maxReconnectAttempts: -1,
  /** Keep retrying the first connection too, so a service may start before NATS. */
  waitOnFirstConnect: true,
  reconnectTimeWait: 1_000,
  /** Up to +500 ms on each wait, so a fleet does not reconnect in lock step. */
  reconnectJitter: 500,
  /** A silent server is detected after ~3 unanswered pings, i.e. 30–40 s instead of ~4 min. */
  pingInterval: 10_000,
  maxPingOut: 3,
  /**
   * No Error object built ahead of every request, only to carry the caller's stack should it fail:
   * every JetStream publish, pull and confirmed ack is a request, and building those errors was
   * 3 % of the worker's time in a profile at 100 posts/s (bench README, session 11). A failure still
   * raises a TimeoutError or RequestError; it carries nats.js's stack, and our log line says where.
   */
  noAsyncTraces: true,
} satisfies Partial<NodeConnectionOptions>);

export async function connectToNats(options: ConnectToNatsOptions): Promise<NatsConnection> {
  const logger = options.logger ?? silentLogger;
  const serverOptions = natsConnectionOptions(options.url, options.auth);
  logger.info(
    { servers: redactNatsUrl(options.url), name: options.name, tls: Boolean(serverOptions.tls) },
    'connecting to NATS',
  );
  const nc = await connect({
    ...serverOptions,
    name: options.name,
    ...NATS_CONNECTION_DEFAULTS,
    ...options.connectionOptions,
  });
  logger.info(
    { server: nc.getServer(), serverVersion: nc.info?.version, name: options.name },
    'connected to NATS',
  );
  void logStatus(nc, logger);
  return nc;
}

async function logStatus(nc: NatsConnection, logger: LoggerLike): Promise<void> {
  try {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          logger.warn({ server: s.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'reconnect':
          logger.info({ server: s.server }, 'reconnected to NATS');
          break;
        case 'reconnecting':
          logger.debug({}, 'reconnecting to NATS');
          break;
        case 'staleConnection':
          logger.warn({}, 'NATS connection is stale (pings unanswered); reconnecting');
          break;
        case 'ldm':
          logger.warn({ server: s.server }, 'NATS server entered lame duck mode');
          break;
        case 'error':
          logger.error({ err: s.error }, 'NATS connection error');
          break;
        case 'slowConsumer':
          logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'NATS slow consumer');
          break;
        case 'close':
          logger.info({}, 'NATS connection closed');
          break;
        default:
          // ping, update, forceReconnect: not worth a log line
          break;
      }
    }
  } catch (err) {
    logger.debug({ err }, 'NATS status iterator ended');
  }
}

/**
 * Calls `onClosed` once when the connection is closed for good. nats.js does not reconnect after some
 * failures even with `maxReconnectAttempts: -1` (stale connection, authorization timeout, a server
 * close), so services must treat this as fatal and exit non-zero for the supervisor to restart them.
 *
 * Returns an `unwatch` function: call it before closing or draining the connection on purpose (graceful
 * shutdown) so the deliberate close is not reported.
 */
export function watchConnectionClosed(
  nc: NatsConnection,
  onClosed: (err?: Error) => void,
): () => void {
  let watching = true;
  void nc.closed().then((result) => {
    if (!watching) return;
    watching = false;
    onClosed(result instanceof Error ? result : undefined);
  });
  return () => {
    watching = false;
  };
}
