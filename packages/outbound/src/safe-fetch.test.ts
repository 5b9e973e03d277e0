import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BlockedDestinationError } from './addresses.js';
import { createSafeFetch, ResponseTooLargeError } from './safe-fetch.js';

const servers: Server[] = [];

async function serve(host: string, handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

let allowed: string; // 127.0.0.1, allowed below
let forbidden: string; // 127.0.0.2: loopback too, but outside the allowed range
const reached: string[] = [];

beforeAll(async () => {
  forbidden = await serve('127.0.0.2', (request, response) => {
    reached.push(`forbidden ${request.url}`);
    response.end('secret');
  });
  allowed = await serve('127.0.0.1', (request, response) => {
    reached.push(`allowed ${request.url}`);
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/to-forbidden') {
      response.writeHead(302, { location: `${forbidden}/metadata` }).end();
    } else if (url.pathname === '/hop') {
      const left = Number(url.searchParams.get('left'));
      if (left === 0) response.end(`arrived with ${request.method}`);
      else response.writeHead(307, { location: `/hop?left=${left - 1}` }).end();
    } else if (url.pathname === '/big-streamed') {
      response.writeHead(200); // chunked: no length announced
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < 40 && response.write(chunk)) sent += 1;
        if (sent < 40) response.once('drain', pump);
        else response.end();
      };
      pump();
    } else if (url.pathname === '/big-declared') {
      response.writeHead(200, { 'content-length': String(2 * 1024 * 1024) });
      response.write('a');
    } else if (url.pathname === '/slow-body') {
      response.writeHead(200);
      response.write('first bytes, then nothing');
    } else if (url.pathname === '/echo') {
      let body = '';
      request.on('data', (data: Buffer) => (body += data.toString()));
      request.on('end', () =>
        response.end(JSON.stringify({ body, userAgent: request.headers['user-agent'] })),
      );
    } else {
      response.end('ok');
    }
  });
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

const safeFetch = createSafeFetch({
  allowedPrivateAddresses: ['127.0.0.1/32'],
  timeoutMs: 2_000,
  maxResponseBytes: 1024 * 1024,
  userAgent: 'Murmur-test',
});
const strictFetch = createSafeFetch({ allowedPrivateAddresses: [] });

describe('createSafeFetch', () => {
  it('reaches an allowed private address over plain http, with the user agent', async () => {
    const response = await safeFetch(`${allowed}/echo`, { method: 'POST', body: 'hello' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ body: 'hello', userAgent: 'Murmur-test' });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'data:text/plain,hi', 'gopher://x/'])(
    'refuses the scheme of %s',
    async (url) => {
      await expect(safeFetch(url)).rejects.toThrow(BlockedDestinationError);
    },
  );

  it('refuses loopback, by address or by name, when nothing is allowed', async () => {
    const port = new URL(allowed).port;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `https://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as a decimal integer
      `http://0x7f.1:${port}/`,
    ]) {
      await expect(strictFetch(url), url).rejects.toThrow(BlockedDestinationError);
    }
  });

  it('refuses private, link-local and unspecified addresses outside the allowed range', async () => {
    for (const url of [
      `${forbidden}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://[::]/',
      'http://224.0.0.1/',
    ]) {
      await expect(safeFetch(url), url).rejects.toThrow(BlockedDestinationError);
    }
    expect(reached).not.toContainEqual(expect.stringMatching(/^forbidden/));
  });

  it('refuses plain http to a public address (before any packet leaves)', async () => {
    await expect(safeFetch('http://8.8.8.8/')).rejects.toThrow(/only https/);
  });

  it('refuses a redirect from an allowed address to a forbidden one', async () => {
    await expect(safeFetch(`${allowed}/to-forbidden`)).rejects.toThrow(BlockedDestinationError);
    expect(reached).toContain('allowed /to-forbidden');
    expect(reached).not.toContain('forbidden /metadata');
  });

  it('follows redirects within the limit, keeping the method on 307', async () => {
    const response = await safeFetch(`${allowed}/hop?left=3`, { method: 'PUT', body: 'x' });
    expect(await response.text()).toBe('arrived with PUT');
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${allowed}/hop?left=0`);
  });

  it('refuses more redirects than allowed', async () => {
    await expect(safeFetch(`${allowed}/hop?left=6`)).rejects.toThrow(/Too many redirects/);
    const noRedirects = createSafeFetch({
      allowedPrivateAddresses: ['127.0.0.1/32'],
      maxRedirects: 0,
    });
    await expect(noRedirects(`${allowed}/hop?left=1`)).rejects.toThrow(/Too many redirects/);
  });

  it('aborts a body larger than the limit while it streams', async () => {
    const response = await safeFetch(`${allowed}/big-streamed`);
    await expect(response.arrayBuffer()).rejects.toThrow(ResponseTooLargeError);
  });

  it('refuses a response that announces a body larger than the limit', async () => {
    await expect(safeFetch(`${allowed}/big-declared`)).rejects.toThrow(ResponseTooLargeError);
  });

  it('gives up on a body that never ends, within the timeout', async () => {
    const started = performance.now();
    const response = await safeFetch(`${allowed}/slow-body`);
    await expect(response.text()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});
