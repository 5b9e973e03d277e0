/**
 * The local stand-in for the production reverse proxy: one public origin in front of the API and the
 * website, as Mastodon apps expect. Paths owned by the API go to it; everything else to the website.
 * X-Forwarded-* headers tell the services the public origin and the client address.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';

/** Path prefixes served by the API service; the same list configures the production proxy. */
export const API_PATH_PREFIXES = [
  '/api/',
  '/oauth/',
  '/.well-known/',
  '/nodeinfo/',
  '/avatars/',
  '/headers/',
  '/media/',
  // ActivityPub (Fedify in the API): actors and their collections and inboxes, the shared inbox.
  '/users/',
  '/inbox/',
] as const;

export function isApiPath(path: string): boolean {
  return API_PATH_PREFIXES.some(
    (prefix) => path === prefix.slice(0, -1) || path.startsWith(prefix),
  );
}

export interface DevProxyOptions {
  port: number;
  host?: string;
  apiUrl: string;
  frontendUrl: string;
  /** Largest request body passed on (default: the API's limit, 1 MiB). */
  maxBodyBytes?: number;
  /** Largest multipart body passed on, for uploads (default 99 MiB, as Mastodon's nginx). */
  maxUploadBytes?: number;
}

/** Fastify's default body limit, which the API keeps for everything but uploads. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Photos come as multipart bodies (up to 16 MB a file, four on the website's compose form). */
export const DEFAULT_MAX_UPLOAD_BYTES = 99 * 1024 * 1024;

const TOO_LARGE = 'The request body is too large.';

function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return void res.end();
  res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(TOO_LARGE);
  // Read and drop the rest of the upload, so that the client gets to read the answer.
  req.resume();
}

/**
 * The request to the service for the client's `req`: the same method, path and headers, with the
 * X-Forwarded-* headers a reverse proxy adds (the services trust them from loopback).
 */
function upstreamRequest(target: URL, req: IncomingMessage): RequestOptions {
  return {
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: {
      ...req.headers,
      'x-forwarded-for': req.socket.remoteAddress ?? '',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': req.headers.host ?? '',
    },
  };
}

/**
 * Passes the request on and the answer back. A body over the limit is refused here, as production
 * proxies do (nginx's client_max_body_size): a service that answers 413 before reading the whole
 * body closes the connection, and the upload then fails before the proxy has read the answer,
 * which came out as a 502 or a reset.
 */
function forward(target: URL, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number) {
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > maxBodyBytes) return refuseTooLarge(req, res);
  // Set once the service has answered: an upload failing after that (the service answered early
  // and closed) does not turn the answer into a 502.
  let answered = false;
  const upstream = request(upstreamRequest(target, req), (upstreamResponse) => {
    answered = true;
    res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
    upstreamResponse.pipe(res);
    // Cut short after its headers: end what the client has rather than leave it waiting.
    upstreamResponse.on('aborted', () => res.end());
  });
  upstream.on('error', () => {
    req.unpipe(upstream);
    // Whatever the service answered is on its way; the failed upload does not change it.
    if (answered) return;
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The service behind this address is not answering. Is it running?');
  });
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBodyBytes && !answered) {
      req.unpipe(upstream);
      upstream.destroy();
      answered = true;
      refuseTooLarge(req, res);
    }
  });
  req.pipe(upstream);
}

/**
 * Passes a WebSocket upgrade (the streaming API) on to the API and, once it answers 101, the bytes
 * both ways. Anything else asking for an upgrade is refused: only the API serves WebSockets.
 */
function forwardUpgrade(target: URL, req: IncomingMessage, client: Duplex, head: Buffer): void {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!isApiPath(path)) {
    client.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const upstream = request(upstreamRequest(target, req));
  upstream.on('upgrade', (answer, socket, upstreamHead) => {
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    }
    client.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) client.write(upstreamHead);
    socket.pipe(client).pipe(socket);
    socket.on('error', () => client.destroy());
    client.on('error', () => socket.destroy());
  });
  // The API refused the upgrade (401, 429…): its answer goes back as it is.
  upstream.on('response', (answer) => {
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    }
    client.write(`${lines.join('\r\n')}\r\n\r\n`);
    answer.pipe(client);
  });
  upstream.on('error', () => {
    client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  if (head.length > 0) upstream.write(head);
  upstream.end();
}

export function startDevProxy(options: DevProxyOptions): Promise<Server> {
  const api = new URL(options.apiUrl);
  const frontend = new URL(options.frontendUrl);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    forward(
      isApiPath(path) ? api : frontend,
      req,
      res,
      /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')
        ? (options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES)
        : (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    );
  });
  server.on('upgrade', (req, socket, head) => forwardUpgrade(api, req, socket, head));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
