/**
 * Another server's inboxes on loopback, answering as Mastodon does: every POST's HTTP Signature is
 * verified with Fedify (the key fetched from the Murmur under test, through its app), 202 when it
 * holds, 401 when it does not. Records what arrived, for tests of what Murmur sends.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyRequest } from '@fedify/fedify';
import { getDocumentLoader, type DocumentLoader } from '@fedify/vocab-runtime';
import { ORIGIN, type TestServer } from './_mastodon.js';

export interface ReceivedActivity {
  path: string;
  body: Record<string, unknown>;
  /** The key whose signature Fedify verified, or null (answered 401). */
  keyId: string | null;
}

export interface VerifyingInboxServer {
  /** `http://127.0.0.2:port` */
  origin: string;
  received: ReceivedActivity[];
  server: Server;
  close(): Promise<void>;
}

/** Reads Murmur's documents through its app (its public origin is not on the network). */
export function murmurDocumentLoader(murmur: TestServer): DocumentLoader {
  const fallback = getDocumentLoader();
  return async (url) => {
    if (!url.startsWith(`${ORIGIN}/`)) return fallback(url);
    const target = new URL(url);
    const response = await murmur.app.inject({
      url: target.pathname + target.search,
      headers: { accept: 'application/activity+json' },
    });
    if (response.statusCode !== 200) throw new Error(`${url}: HTTP ${response.statusCode}`);
    return { contextUrl: null, document: response.json(), documentUrl: target.href.split('#')[0]! };
  };
}

export async function startVerifyingInbox(
  murmur: TestServer,
  host = '127.0.0.2',
): Promise<VerifyingInboxServer> {
  const received: ReceivedActivity[] = [];
  const loader = murmurDocumentLoader(murmur);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        if (request.method !== 'POST' || !request.url?.endsWith('/inbox')) {
          response.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks);
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        const fetchRequest = new Request(`http://${request.headers.host}${request.url}`, {
          method: 'POST',
          headers,
          body,
        });
        const key = await verifyRequest(fetchRequest, {
          documentLoader: loader,
          contextLoader: loader,
        }).catch(() => null);
        received.push({
          path: request.url,
          body: JSON.parse(body.toString('utf8')) as Record<string, unknown>,
          keyId: key?.id?.href ?? null,
        });
        response.writeHead(key ? 202 : 401).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    received,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
