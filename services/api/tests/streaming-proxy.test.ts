/**
 * The dev proxy passes WebSocket upgrades of the streaming API to the API, and its refusals back.
 */
import type { Server } from 'node:http';
import { freePort } from '@murmur/devkit/net';
import { startDevProxy } from '@murmur/devkit/proxy';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestApp, type TestApp } from './_helpers.js';

let api: TestApp;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  api = await createTestApp();
  const apiPort = await freePort();
  await api.app.listen({ port: apiPort, host: '127.0.0.1' });
  const proxyPort = await freePort();
  proxy = await startDevProxy({
    port: proxyPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    frontendUrl: 'http://127.0.0.1:9',
  });
  proxyUrl = `ws://127.0.0.1:${proxyPort}`;
});

afterAll(async () => {
  api?.app.server.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await api?.close();
});

it('carries a streaming WebSocket through the proxy, both ways', async () => {
  const socket = new WebSocket(`${proxyUrl}/api/v1/streaming`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const answer = new Promise<unknown>((resolve) =>
    socket.once('message', (data) => resolve(JSON.parse(String(data)))),
  );
  socket.send(JSON.stringify({ type: 'subscribe', stream: 'nonsense' }));
  expect(await answer).toEqual({ error: 'Unknown stream type', status: 400 });
  socket.close();
});

it("passes the API's refusal of an upgrade back as it is", async () => {
  const socket = new WebSocket(`${proxyUrl}/api/v1/streaming?access_token=not-a-token`);
  const status = await new Promise<number>((resolve) =>
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
  );
  expect(status).toBe(401);
});
