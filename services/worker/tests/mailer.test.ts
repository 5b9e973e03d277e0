/**
 * The SMTP mailer's connection pool against a real SMTP server, seen through a TCP proxy that counts
 * the connections: never more than the pool's size, and opened ahead of the first messages on demand.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SmtpMailer, type OutgoingMail } from '../src/mail/mailer.js';
import { freePort, startSmtpSink } from './_helpers.js';

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let proxy: Server;
let proxyUrl: string;
let opened = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  smtp = await startSmtpSink();
  proxy = createServer((client) => {
    opened++;
    const upstream = connect(smtp.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  proxyUrl = `smtp://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await smtp?.close();
});

function mail(n: number): OutgoingMail {
  return {
    messageId: `<pool-${n}-${Date.now()}@murmur.test>`,
    from: 'Murmur <no-reply@murmur.test>',
    to: { name: 'Reader', address: `reader-${n}@example.test` },
    subject: `message ${n}`,
    text: 'hello',
    html: '<p>hello</p>',
    headers: {},
  };
}

it('never holds more SMTP connections than its size, however many messages wait', async () => {
  const mailer = new SmtpMailer(proxyUrl, 2000, 'localhost', 2);
  opened = 0;
  const results = await Promise.all(Array.from({ length: 8 }, (_, n) => mailer.send(mail(n))));
  expect(results.every((r) => r.outcome === 'sent')).toBe(true);
  expect(opened).toBe(2);
  mailer.close();
});

it('opens its connections ahead of the first messages, which then use them', async () => {
  const mailer = new SmtpMailer(proxyUrl, 2000, 'localhost', 3);
  opened = 0;
  expect(await mailer.prepare()).toEqual({ ok: true });
  expect(opened).toBe(3);
  const results = await Promise.all(Array.from({ length: 6 }, (_, n) => mailer.send(mail(n))));
  expect(results.every((r) => r.outcome === 'sent')).toBe(true);
  expect(opened).toBe(3);
  mailer.close();
});

it('tells when the server cannot be reached at start-up', async () => {
  const mailer = new SmtpMailer(`smtp://127.0.0.1:${await freePort()}`, 1000, 'localhost', 2);
  expect(await mailer.prepare()).toMatchObject({ ok: false, error: expect.any(String) });
});
