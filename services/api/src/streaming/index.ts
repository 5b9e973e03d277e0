/**
 * Mastodon's streaming API: a WebSocket at `/api/v1/streaming` multiplexing streams, server-sent
 * events at `/api/v1/streaming/<stream>`, and `/api/v1/streaming/health`. Events come from NATS
 * (feed.ts), go through one visibility read per event (fanout.ts) and out to the sockets this
 * process holds (hub.ts). Without a feed (tests that do not stream) the endpoints still answer, and
 * carry heartbeats only.
 */
import websocket from '@fastify/websocket';
import { isDomainError, type Database } from '@murmur/db';
import { authenticateAccessToken, loadWebSession } from '@murmur/db/auth';
import { WEB_SESSION_HEADER } from '@murmur/service-kit';
import { findOwnList } from '@murmur/db/feeds';
import { followersAmongMany, streamingAudiences, validTokenIds } from '@murmur/db/streaming';
import type { DomainEvent } from '@murmur/events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Type from 'typebox';
import type { WebSocket } from 'ws';
import { bearerToken } from '../plugins/auth.js';
import type { ApiInstance } from '../plugins/context.js';
import { scopesAllow } from '../plugins/scopes.js';
import { StatementBatcher } from './statement-batch.js';
import { eventStreamConnection, webSocketConnection } from './connections.js';
import { HEARTBEAT_SLICES, HeartbeatSchedule } from './heartbeats.js';
import type { EventFeed } from './feed.js';
import { fanOut, type FanoutContext } from './fanout.js';
import { CLOSE, StreamingHub, type StreamIdentity } from './hub.js';
import {
  isPersonal,
  parseSubscription,
  type Subscription,
  scopesFor,
  streamNameOfPath,
  StreamRequestError,
} from './streams.js';

export interface StreamingOptions {
  feed?: EventFeed | undefined;
  /**
   * The fan-out's own connections (default: the app's). The deployable gives it a small pool of
   * its own on generic plans (`server.ts`): its batched statements are written for them, its other
   * reads are lookups by key, and REST traffic cannot hold the connections that events wait for.
   */
  database?: Database | undefined;
  /** Between heartbeats (WebSocket pings, event-stream comments); Mastodon: 15 s for SSE. */
  heartbeatMs?: number;
  /** Between checks that the tokens of open connections are still valid (also checked per event). */
  tokenCheckMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    streamingHub: StreamingHub;
  }
  interface FastifyRequest {
    streamIdentity: StreamIdentity | null;
  }
}

/**
 * Event fan-outs in flight at once; more wait in a bounded queue, then are dropped (best-effort).
 * Many: the fan-outs in flight share their statements (`statement-batch.ts`), so more of them
 * means larger batches, not more statements.
 */
const MAX_FANOUTS_IN_FLIGHT = 512;
const MAX_QUEUED_EVENTS = 10_000;
/** How long clients get to answer the close frame at shutdown. */
const CLOSE_GRACE_MS = 2_000;

const ErrorBody = Type.Object({ error: Type.String() });
const ERRORS = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody };
const StreamQuery = Type.Object({
  access_token: Type.Optional(Type.String({ maxLength: 512 })),
  tag: Type.Optional(Type.String({ maxLength: 200 })),
  list: Type.Optional(Type.String({ maxLength: 30 })),
  only_media: Type.Optional(Type.String({ maxLength: 10 })),
  stream: Type.Optional(Type.String({ maxLength: 50 })),
});
type StreamQueryValues = {
  access_token?: string;
  tag?: string;
  list?: string;
  only_media?: string;
  stream?: string;
};

const EVENT_STREAM_PATHS = [
  'user',
  'user/notification',
  'public',
  'public/local',
  'public/remote',
  'hashtag',
  'hashtag/local',
  'list',
  'direct',
] as const;

/** The access token of a streaming request: header, query parameter, or WebSocket subprotocol. */
function rawTokenOf(request: FastifyRequest): string | null {
  const query = request.query as StreamQueryValues;
  const protocol = request.headers['sec-websocket-protocol'];
  return (
    bearerToken(request) ??
    query.access_token ??
    (typeof protocol === 'string' && protocol.trim() ? protocol.split(',')[0]!.trim() : null)
  );
}

async function identify(database: Database, request: FastifyRequest): Promise<StreamIdentity> {
  const raw = rawTokenOf(request);
  const webSession = request.headers[WEB_SESSION_HEADER];
  if (raw === null && typeof webSession === 'string')
    return identifyWebSession(database, request, webSession);
  if (raw === null) return { tokenId: null, viewerId: null, scopes: [], ip: request.ip };
  const found = await authenticateAccessToken(database, raw);
  if (!found) throw new StreamRequestError(401, 'Invalid access token');
  return {
    tokenId: found.tokenId,
    viewerId: found.accountId,
    scopes: found.scopes,
    ip: request.ip,
  };
}

/**
 * The website relaying a signed-in visitor's live updates: the session's own access token and
 * account, so revoking the token (or signing out, which revokes it) ends the stream as it would a
 * bearer token's, and every rule is the one that token would get.
 */
async function identifyWebSession(
  database: Database,
  request: FastifyRequest,
  sessionId: string,
): Promise<StreamIdentity> {
  const loaded = await loadWebSession(database, sessionId);
  if (!loaded) throw new StreamRequestError(401, 'The website session has ended');
  return {
    tokenId: loaded.session.accessTokenId,
    viewerId: loaded.account.id,
    scopes: loaded.scopes,
    ip: request.ip,
  };
}

/** Whether the identity may open a stream; throws with Mastodon's message otherwise. */
function authorize(identity: StreamIdentity, name: Parameters<typeof scopesFor>[0]): void {
  if (isPersonal(name) && identity.viewerId === null) {
    throw new StreamRequestError(401, 'Missing access token');
  }
  if (identity.tokenId !== null && !scopesAllow(identity.scopes, scopesFor(name))) {
    throw new StreamRequestError(401, 'Access token does not have the required scopes');
  }
}

/** A `list` stream only of one's own list: another's, or none, is "not found" (Mastodon's answer). */
async function checkListOwner(
  database: Database,
  identity: StreamIdentity,
  subscription: Subscription,
): Promise<void> {
  if (subscription.listId === null) return;
  try {
    await findOwnList(database.replica, identity.viewerId!, subscription.listId);
  } catch (err) {
    if (isDomainError(err)) throw new StreamRequestError(404, 'Record not found');
    throw err;
  }
}

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error });
}

async function streamingPlugin(app: ApiInstance, options: StreamingOptions): Promise<void> {
  const { config, database } = app;
  const hub = new StreamingHub({
    perToken: config.STREAMING_MAX_CONNECTIONS_PER_TOKEN,
    perIp: config.STREAMING_MAX_CONNECTIONS_PER_IP,
  });
  const maxBufferedBytes = config.STREAMING_MAX_BUFFERED_KB * 1024;
  app.decorate('streamingHub', hub);
  app.decorateRequest('streamIdentity', null);

  const closeEverything = (): void => {
    for (const connection of [...hub.connections]) connection.close(CLOSE.goingAway);
  };
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // A token given as the subprotocol must be echoed back, or browsers drop the connection.
      handleProtocols: (protocols: Set<string>) => protocols.values().next().value ?? false,
    },
    preClose(done) {
      // Drain: every client is told the server goes away (1001) and reconnects elsewhere; sockets
      // that have not finished the closing handshake after a grace period are cut.
      closeEverything();
      const server = this.websocketServer;
      server.close();
      const deadline = Date.now() + CLOSE_GRACE_MS;
      const waitForClients = (): void => {
        if (server.clients.size === 0) return done();
        if (Date.now() > deadline) {
          for (const client of server.clients) client.terminate();
          return done();
        }
        setTimeout(waitForClients, 50);
      };
      waitForClients();
    },
  });

  const fanoutDatabase = options.database ?? database;
  const context: FanoutContext = {
    hub,
    database: fanoutDatabase,
    audiences: new StatementBatcher((requests) =>
      streamingAudiences(fanoutDatabase.primary, requests),
    ),
    followers: new StatementBatcher(async (authorIds) => {
      const found = await followersAmongMany(
        fanoutDatabase.primary,
        authorIds,
        hub.viewersOn('user'),
      );
      return authorIds.map((authorId) => found.get(authorId) ?? new Set<string>());
    }),
    statusJson: app.statusJson,
    publicOrigin: config.publicOrigin,
    log: app.log,
  };
  startFanout(app, context, options.feed);

  const heartbeats = new HeartbeatSchedule(hub);
  const heartbeat = setInterval(
    () => heartbeats.tick(),
    (options.heartbeatMs ?? 15_000) / HEARTBEAT_SLICES,
  );
  heartbeat.unref();
  const tokenCheck = setInterval(() => {
    void closeRevoked(app, hub);
  }, options.tokenCheckMs ?? 60_000);
  tokenCheck.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    clearInterval(tokenCheck);
    await options.feed?.close();
  });

  /** Identifies the caller and applies the connection limits before a stream is opened. */
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const identity = await identify(database, request);
      const refusal = hub.refusal(identity);
      if (refusal !== null) return refuse(reply, 429, refusal);
      request.streamIdentity = identity;
    } catch (err) {
      if (err instanceof StreamRequestError) return refuse(reply, err.status, err.message);
      throw err;
    }
  };

  app.get(
    '/api/v1/streaming/health',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['streaming'],
        summary: 'Whether the streaming API is up (the process answers)',
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'),
  );

  app.route({
    method: 'GET',
    url: '/api/v1/streaming',
    config: { auth: 'none' },
    schema: {
      hide: true,
      tags: ['streaming'],
      summary: 'WebSocket multiplexing streams (`{"type":"subscribe","stream":…}`)',
      querystring: StreamQuery,
      response: ERRORS,
    },
    preValidation: admit,
    handler: async (_request, reply) =>
      refuse(reply, 400, 'This endpoint is a WebSocket: connect with an Upgrade request'),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const identity = request.streamIdentity!;
      const connection = webSocketConnection(socket, identity, hub, maxBufferedBytes);
      hub.add(connection);
      heartbeats.add(connection);
      const parse = (message: { stream?: unknown; tag?: unknown; list?: unknown }) => {
        const subscription = parseSubscription(
          typeof message.stream === 'string' ? message.stream : undefined,
          {
            tag: typeof message.tag === 'string' ? message.tag : undefined,
            list: typeof message.list === 'string' ? message.list : undefined,
          },
        );
        authorize(identity, subscription.name);
        return subscription;
      };
      const reportError = (err: unknown) => {
        if (!(err instanceof StreamRequestError)) throw err;
        socket.send(JSON.stringify({ error: err.message, status: err.status }));
      };
      const subscribe = (message: { stream?: unknown; tag?: unknown; list?: unknown }) => {
        const subscription = parse(message);
        if (subscription.listId === null) return hub.subscribe(connection, subscription);
        checkListOwner(database, identity, subscription).then(
          () => {
            if (hub.connections.has(connection)) hub.subscribe(connection, subscription);
          },
          (err: unknown) => {
            if (err instanceof StreamRequestError) reportError(err);
            else request.log.warn({ err }, 'streaming: list check failed');
          },
        );
      };
      const query = request.query as StreamQueryValues;
      if (query.stream) {
        try {
          subscribe(query);
        } catch (err) {
          reportError(err);
        }
      }
      socket.on('message', (data, isBinary) => {
        try {
          let message: { type?: unknown; stream?: unknown; tag?: unknown; list?: unknown };
          try {
            message = JSON.parse(isBinary ? '' : String(data)) as typeof message;
          } catch {
            throw new StreamRequestError(400, 'Invalid JSON message');
          }
          if (message?.type === 'subscribe') subscribe(message);
          else if (message?.type === 'unsubscribe') {
            hub.unsubscribe(connection, parse(message).key);
          } else throw new StreamRequestError(400, 'Unknown message type');
        } catch (err) {
          reportError(err);
        }
      });
    },
  });

  for (const path of EVENT_STREAM_PATHS) {
    app.get(
      `/api/v1/streaming/${path}`,
      {
        config: { auth: 'none' },
        schema: {
          // Left out of /api/openapi.json, like the WebSocket: a request tool (or the fuzz test)
          // following the document would open a stream that never ends.
          hide: true,
          tags: ['streaming'],
          summary: `Server-sent events of the \`${path.replace('/', ':')}\` stream`,
          querystring: StreamQuery,
          response: { 200: Type.String(), ...ERRORS },
        },
        preValidation: admit,
      },
      async (request, reply) => {
        const identity = request.streamIdentity!;
        const query = request.query;
        let subscription;
        try {
          subscription = parseSubscription(
            streamNameOfPath(path, query.only_media === 'true'),
            query,
          );
          authorize(identity, subscription.name);
          await checkListOwner(database, identity, subscription);
        } catch (err) {
          if (err instanceof StreamRequestError) return refuse(reply, err.status, err.message);
          throw err;
        }
        reply.hijack();
        const response = reply.raw;
        // Hijacked: the headers other hooks set (CORS, security) are copied by hand.
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) response.setHeader(name, value);
        }
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          // nginx and some proxies buffer responses unless told not to.
          'x-accel-buffering': 'no',
        });
        response.write(':)\n\n');
        const connection = eventStreamConnection(response, identity, hub, maxBufferedBytes);
        hub.add(connection);
        heartbeats.add(connection);
        hub.subscribe(connection, subscription);
      },
    );
  }
}

/** The streaming API (its hub is `app.streamingHub`, for tests and metrics). */
export const streaming = fp(streamingPlugin, { name: 'murmur-streaming' });

/** Hands events to the fan-out, a bounded number at once; a delete waits for earlier updates. */
function startFanout(app: ApiInstance, context: FanoutContext, feed: EventFeed | undefined): void {
  if (!feed) return;
  const queue: DomainEvent[] = [];
  let inFlight = 0;
  let dropped = 0;
  const pump = (): void => {
    while (queue.length > 0 && inFlight < MAX_FANOUTS_IN_FLIGHT) {
      const next = queue[0]!;
      // So that a client never receives an update after the delete of the same status.
      const deletion = next.type === 'StatusDeleted' || next.type === 'ReblogUndone';
      if (deletion && inFlight > 0) return;
      queue.shift();
      inFlight += 1;
      fanOut(context, next)
        .catch((err: unknown) => {
          app.log.warn({ err, eventId: next.id, type: next.type }, 'streaming: fan-out failed');
        })
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  feed.start((event) => {
    if (queue.length >= MAX_QUEUED_EVENTS) {
      dropped += 1;
      if (dropped % 1000 === 1) app.log.warn({ dropped }, 'streaming: events dropped (overloaded)');
      return;
    }
    queue.push(event);
    pump();
  });
}

/** Closes the connections whose token was revoked (for those that received no event since). */
async function closeRevoked(app: ApiInstance, hub: StreamingHub): Promise<void> {
  const tokens = new Set<string>();
  for (const connection of hub.connections) {
    if (connection.identity.tokenId !== null) tokens.add(connection.identity.tokenId);
  }
  if (tokens.size === 0) return;
  try {
    const valid = await validTokenIds(app.database.replica, [...tokens]);
    for (const connection of [...hub.connections]) {
      const { tokenId } = connection.identity;
      if (tokenId !== null && !valid.has(tokenId)) connection.close(CLOSE.revoked);
    }
  } catch (err) {
    app.log.warn({ err }, 'streaming: token check failed');
  }
}
