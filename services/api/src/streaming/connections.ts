/**
 * The two transports of a streaming connection. Both bound what they hold for a client: after each
 * write, output the client has not read yet (the socket's buffer beyond the kernel's) above
 * `maxBufferedBytes` drops the client; it reconnects and reloads, as after any network failure.
 */
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { CloseReason, StreamConnection, StreamIdentity, StreamingHub } from './hub.js';
import type { Subscription } from './streams.js';

/**
 * The bytes of the last message built, per transport. A fan-out sends one payload to many sockets
 * in a row: encoding it once (instead of a JSON.stringify and a UTF-8 copy of a status per socket)
 * leaves only the write itself per socket.
 */
function lastMessageMemo(
  build: (label: readonly string[], event: string, payload: string) => string,
): (label: readonly string[], event: string, payload: string) => Buffer {
  let last: { label: readonly string[]; event: string; payload: string; bytes: Buffer } | null =
    null;
  return (label, event, payload) => {
    if (
      last === null ||
      last.payload !== payload ||
      last.event !== event ||
      last.label.length !== label.length ||
      last.label.some((part, i) => part !== label[i])
    ) {
      last = { label, event, payload, bytes: Buffer.from(build(label, event, payload)) };
    }
    return last.bytes;
  };
}

const webSocketMessage = lastMessageMemo((label, event, payload) =>
  JSON.stringify({ stream: label, event, payload }),
);
const eventStreamMessage = lastMessageMemo(
  (_label, event, payload) => `event: ${event}\ndata: ${payload}\n\n`,
);

/** Send options of every message (one object, not one per socket written to). */
const TEXT_FRAME = { binary: false } as const;

/** A connection with a heartbeat: pings on a WebSocket, a comment line on an event stream. */
export interface LiveConnection extends StreamConnection {
  heartbeat(): void;
}

export function webSocketConnection(
  socket: WebSocket,
  identity: StreamIdentity,
  hub: StreamingHub,
  maxBufferedBytes: number,
): LiveConnection {
  let answeredPing = true;
  socket.on('pong', () => {
    answeredPing = true;
  });
  const connection: LiveConnection = {
    identity,
    subscriptions: new Map(),
    send(subscription: Subscription, event: string, payload: string) {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(webSocketMessage(subscription.label, event, payload), TEXT_FRAME);
      if (socket.bufferedAmount > maxBufferedBytes) {
        // A close frame would wait behind what the client is not reading: cut the connection.
        hub.remove(connection);
        socket.terminate();
      }
    },
    close(why: CloseReason) {
      hub.remove(connection);
      if (socket.readyState === socket.OPEN) socket.close(why.code, why.reason);
    },
    heartbeat() {
      if (!answeredPing) {
        hub.remove(connection);
        socket.terminate();
        return;
      }
      answeredPing = false;
      if (socket.readyState === socket.OPEN) socket.ping();
    },
  };
  socket.on('close', () => hub.remove(connection));
  return connection;
}

export function eventStreamConnection(
  response: ServerResponse,
  identity: StreamIdentity,
  hub: StreamingHub,
  maxBufferedBytes: number,
): LiveConnection {
  const write = (text: string | Buffer): void => {
    if (response.writableEnded || response.destroyed) return;
    response.write(text);
    if (response.writableLength > maxBufferedBytes) {
      hub.remove(connection);
      response.destroy();
    }
  };
  const connection: LiveConnection = {
    identity,
    subscriptions: new Map(),
    send(subscription, event, payload) {
      write(eventStreamMessage(subscription.label, event, payload));
    },
    close() {
      hub.remove(connection);
      if (!response.writableEnded) response.end();
    },
    heartbeat() {
      // A comment line: proxies see traffic and keep the connection; clients ignore it.
      write(':thump\n\n');
    },
  };
  response.on('close', () => hub.remove(connection));
  return connection;
}
