/**
 * The local stand-in for the production reverse proxy: one public origin in front of the API and the
 * website, as Mastodon apps expect. Paths owned by the API go to it; everything else to the website.
 * X-Forwarded-* headers tell the services the public origin and the client address.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/** Path prefixes served by the API service; the same list configures the production proxy. */
export const API_PATH_PREFIXES = [
  '/api/',
  '/oauth/',
  '/.well-known/',
  '/nodeinfo/',
  '/avatars/',
  '/headers/',
  '/media/',
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
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse) {
  const upstream = request(
    {
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
    },
    (upstreamResponse) => {
      res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    }
    res.end('The service behind this address is not answering. Is it running?');
  });
  req.pipe(upstream);
}

export function startDevProxy(options: DevProxyOptions): Promise<Server> {
  const api = new URL(options.apiUrl);
  const frontend = new URL(options.frontendUrl);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    forward(isApiPath(path) ? api : frontend, req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
