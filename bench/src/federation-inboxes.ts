/**
 * The other servers of the federation-delivery benchmark, in a child process of their own (their
 * CPU is not the sender's): `hosts` HTTP servers on loopback, each one server's shared inbox.
 * `POST /inbox` verifies the HTTP Signature with Fedify, as Mastodon does (the sender's key comes
 * from the actor document the parent passes, cached after the first use as Mastodon caches keys),
 * and answers 202 (401 when it does not hold); `POST /plain` takes the same body unverified (the
 * reference). Slow hosts answer after `slowMs`. Talks to the parent over IPC.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyRequest } from '@fedify/fedify';
import type { CryptographicKey } from '@fedify/vocab';
import { getDocumentLoader } from '@fedify/vocab-runtime';

export interface InboxesSetup {
  hosts: number;
  slowHosts: number;
  slowMs: number;
  /** The sender's actor id and its JSON-LD document (with its public key). */
  actorId: string;
  actorDocument: unknown;
}

export interface InboxesReport {
  /** Per activity id: how many verified deliveries arrived and when the last one did (epoch ms). */
  arrivals: Record<string, { count: number; lastAt: number }>;
  plain: number;
  refused: number;
}

const arrivals: InboxesReport['arrivals'] = {};
let plain = 0;
let refused = 0;
const servers: Server[] = [];

async function start(setup: InboxesSetup): Promise<number[]> {
  const contexts = getDocumentLoader();
  const loader = async (url: string) =>
    url.split('#')[0] === setup.actorId
      ? { contextUrl: null, document: setup.actorDocument, documentUrl: setup.actorId }
      : contexts(url);
  const keys = new Map<string, CryptographicKey | null>();
  const keyCache = {
    get: async (keyId: URL) => keys.get(keyId.href),
    set: async (keyId: URL, key: CryptographicKey | null) => void keys.set(keyId.href, key),
  };
  const ports: number[] = [];
  for (let host = 0; host < setup.hosts; host++) {
    const slow = host < setup.slowHosts;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void (async () => {
          const body = Buffer.concat(chunks);
          if (request.url === '/plain') {
            plain += 1;
          } else {
            const headers = new Headers();
            for (const [name, value] of Object.entries(request.headers)) {
              if (typeof value === 'string') headers.set(name, value);
            }
            const key = await verifyRequest(
              new Request(`http://${request.headers.host}${request.url}`, {
                method: 'POST',
                headers,
                body,
              }),
              { documentLoader: loader, contextLoader: loader, keyCache },
            ).catch(() => null);
            if (!key) {
              refused += 1;
              response.writeHead(401).end();
              return;
            }
            const id = (JSON.parse(body.toString('utf8')) as { id: string }).id;
            const entry = (arrivals[id] ??= { count: 0, lastAt: 0 });
            entry.count += 1;
            entry.lastAt = Date.now();
          }
          if (slow) await new Promise((resolve) => setTimeout(resolve, setup.slowMs));
          response.writeHead(202).end();
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  return ports;
}

process.on('message', (message: { kind: string; setup?: InboxesSetup }) => {
  if (message.kind === 'start') {
    void start(message.setup!).then((ports) => process.send!({ kind: 'started', ports }));
  } else if (message.kind === 'report') {
    process.send!({ kind: 'report', report: { arrivals, plain, refused } });
  } else if (message.kind === 'stop') {
    for (const server of servers) server.close();
    process.exit(0);
  }
});
