/**
 * A child process of the streaming benchmark that holds a share of the reader sockets (Murmur's and
 * the reference's alike) and notes when each event arrives. The sockets are spread over several of
 * these because one process can hold only `ulimit -n` of them, and so that one client's event loop
 * is not what delays 10,000 sockets. Arrival times are absolute (`timeOrigin + now()`), comparable
 * with the parent's commit times.
 *
 * Messages: the child says `{ type: 'ready' }` once it listens (IPC drops what comes before); parent → child `{ type: 'open', side, targets }` (answers `{ type: 'opened', side }`),
 * `{ type: 'count' }` (answers how many arrived so far), `{ type: 'report' }` (answers `{ type: 'arrivals', murmur, reference }`: [status id, ms] pairs).
 */
import { WebSocket } from 'ws';
import { statusIdIn } from './streamed-ids.ts';

export type ReaderSide = 'murmur' | 'reference';

export interface ReaderTarget {
  url: string;
  headers?: Record<string, string>;
}

export type ToReaders =
  | { type: 'open'; side: ReaderSide; targets: ReaderTarget[] }
  | { type: 'count' }
  | { type: 'report' };

export type FromReaders =
  | { type: 'ready' }
  | { type: 'opened'; side: ReaderSide }
  | {
      type: 'counted';
      murmur: number;
      reference: number;
      closedEarly: Record<ReaderSide, number>;
    }
  | {
      type: 'arrivals';
      murmur: [string, number][];
      reference: [string, number][];
      closedEarly: Record<ReaderSide, number>;
    }
  | { type: 'failed'; message: string };

const arrivals: Record<ReaderSide, [string, number][]> = { murmur: [], reference: [] };
/** Sockets the server closed before the report: their later events are missing from the run. */
const closedEarly: Record<ReaderSide, number> = { murmur: 0, reference: 0 };
let reporting = false;
// Alive until the report, whatever happens to the sockets (a process whose sockets were all
// closed would otherwise end, and the parent would wait for it).
const keepAlive = setInterval(() => {}, 60_000);
const sockets: WebSocket[] = [];

/** Opens sockets a few hundred at a time (a burst of thousands of handshakes is its own test). */
async function openAll(side: ReaderSide, targets: ReaderTarget[]): Promise<void> {
  for (let i = 0; i < targets.length; i += 200) {
    const batch = targets.slice(i, i + 200).map(
      ({ url, headers }) =>
        new Promise<void>((resolve, reject) => {
          // No UTF-8 check of each message: the reader only looks for an id in its bytes.
          const socket = new WebSocket(url, {
            headers,
            perMessageDeflate: false,
            skipUTF8Validation: true,
          });
          socket.once('open', () => resolve());
          // Before it opens, an error fails the run; after, a reset socket only loses its events
          // (counted as missing), it must not end the process.
          socket.on('error', reject);
          socket.on('close', () => {
            if (!reporting) closedEarly[side] += 1;
          });
          socket.on('message', (data) => {
            const at = performance.timeOrigin + performance.now();
            // The socket's default `binaryType` ('nodebuffer') hands every message over as one
            // Buffer, fragments joined.
            const id = statusIdIn(data as Buffer);
            if (id !== undefined) arrivals[side].push([id, at]);
          });
          sockets.push(socket);
        }),
    );
    await Promise.all(batch);
  }
}

const send = (message: FromReaders) => process.send!(message);

process.on('message', (message: ToReaders) => {
  if (message.type === 'open') {
    openAll(message.side, message.targets).then(
      () => send({ type: 'opened', side: message.side }),
      (err: unknown) => send({ type: 'failed', message: String(err) }),
    );
  } else if (message.type === 'count') {
    send({
      type: 'counted',
      murmur: arrivals.murmur.length,
      reference: arrivals.reference.length,
      closedEarly,
    });
  } else if (message.type === 'report') {
    reporting = true;
    // The report is large (an entry per event per socket) and written to the channel
    // asynchronously; disconnecting before the write completes cancels it and the parent sees
    // only the exit. So the process lets go of the channel once the report is written.
    process.send!({ type: 'arrivals', ...arrivals, closedEarly } satisfies FromReaders, (err) => {
      if (err) console.error('streaming reader: the report was not sent', err);
      for (const socket of sockets) socket.terminate();
      clearInterval(keepAlive);
      process.disconnect();
    });
  }
});

send({ type: 'ready' });
