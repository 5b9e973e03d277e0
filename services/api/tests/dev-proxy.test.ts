/**
 * The dev proxy (`npm start`, the browser tests) in front of the real API: an answer the API gives
 * before reading the whole body, such as 413 for a body over the limit, reaches the client as given,
 * not as a 502 or a reset connection.
 */
import { request } from 'node:http';
import type { Server } from 'node:http';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './_helpers.js';

let api: TestApp;
let proxy: Server;
let proxyPort: number;

beforeAll(async () => {
  api = await createTestApp();
  const apiPort = await freePort();
  await api.app.listen({ port: apiPort, host: '127.0.0.1' });
  proxyPort = await freePort();
  proxy = await startDevProxy({
    port: proxyPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    frontendUrl: 'http://127.0.0.1:9',
  });
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await api?.close();
});

/**
 * POSTs `size` bytes through the proxy, streamed in chunks as a browser uploads, with a
 * Content-Length or chunked.
 */
function postThroughProxy(
  size: number,
  chunked = false,
  fill = 'a',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const upload = request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        method: 'POST',
        path: '/api/v1/apps',
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': String(size) }),
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    upload.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, fill);
    let sent = 0;
    const writeMore = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!upload.write(piece)) return upload.once('drain', writeMore);
      }
      upload.end();
    };
    writeMore();
  });
}

describe('dev proxy', () => {
  // Before: 502 (or a reset connection) instead of the API's 413.
  it('answers 413 for a body over the limit, declared or chunked', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await postThroughProxy(10 * 1024 * 1024)).status).toBe(413);
      expect((await postThroughProxy(2 * 1024 * 1024, true)).status).toBe(413);
    }
  });

  it('passes the API’s own answers on for bodies within the limit', async () => {
    // 64 KB of spaces is an empty body to the API, which lacks the required fields: its 422.
    const response = await postThroughProxy(64 * 1024, false, ' ');
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body)).toHaveProperty('error');
  });
});
