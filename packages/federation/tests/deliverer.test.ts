/**
 * The Deliverer against inboxes on loopback that misbehave: one answering 500, one that is not
 * there, one that is slow, one that says the actor is gone. Bounded: every server and loop here
 * stops by itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCryptoKeyPair } from '@fedify/fedify';
import { createSafeFetch } from '@murmur/outbound';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer, type DeliveryJob } from '../src/delivery/deliverer.js';
import { HostCircuitBreakers } from '../src/delivery/breaker.js';
import type { SigningIdentity } from '../src/delivery/post-activity.js';

interface Inbox {
  url: string;
  host: string;
  requests: number;
  /** The most requests it was serving at once. */
  peak: number;
  signatures: (string | undefined)[];
  server: Server;
}

async function startInbox(
  answer: (respond: (status: number) => void) => void,
  host = '127.0.0.1',
): Promise<Inbox> {
  const inbox = { requests: 0, peak: 0, signatures: [] } as unknown as Inbox;
  let active = 0;
  inbox.server = createServer((request, response) => {
    inbox.requests += 1;
    inbox.signatures.push(request.headers.signature as string | undefined);
    active += 1;
    inbox.peak = Math.max(inbox.peak, active);
    request.resume();
    request.on('end', () =>
      answer((status) => {
        active -= 1;
        response.writeHead(status).end();
      }),
    );
  });
  await new Promise<void>((resolve) => inbox.server.listen(0, host, resolve));
  const { port } = inbox.server.address() as AddressInfo;
  inbox.host = `${host}:${port}`;
  inbox.url = `http://${inbox.host}/inbox`;
  return inbox;
}

let identity: SigningIdentity;
let fine: Inbox;
let failing: Inbox;
let slow: Inbox;
let gone: Inbox;
const deadUrl = 'http://127.0.0.9:9/inbox';

beforeAll(async () => {
  const keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  identity = {
    keyId: new URL('https://murmur.test/users/alice#main-key'),
    privateKey: keys.privateKey,
  };
  fine = await startInbox((respond) => respond(202), '127.0.0.2');
  failing = await startInbox((respond) => respond(500), '127.0.0.3');
  slow = await startInbox((respond) => setTimeout(() => respond(202), 300), '127.0.0.4');
  gone = await startInbox((respond) => respond(410), '127.0.0.5');
});

afterAll(() => {
  for (const inbox of [fine, failing, slow, gone]) inbox?.server.close();
});

let jobIds = 0;
function job(inboxUrl: string, attempts = 0): DeliveryJob {
  return {
    id: String(++jobIds),
    inboxUrl,
    host: new URL(inboxUrl).host,
    senderAccountId: '1',
    senderUsername: 'alice',
    activity: { type: 'Create', id: `https://murmur.test/activities/${jobIds}` },
    attempts,
  };
}

function deliverer(options: { timeoutMs?: number; perHost?: number; threshold?: number } = {}) {
  return new Deliverer({
    fetch: createSafeFetch({
      allowedPrivateAddresses: ['127.0.0.0/8'],
      timeoutMs: options.timeoutMs ?? 2000,
    }),
    signingIdentity: async () => identity,
    concurrency: 8,
    perHostConcurrency: options.perHost ?? 2,
    breakers: new HostCircuitBreakers({
      threshold: options.threshold ?? 3,
      cooldownMs: 60_000,
      maxCooldownMs: 60_000,
    }),
  });
}

describe('Deliverer', () => {
  it('delivers signed, and records a 410 as failed for good without a retry', async () => {
    const [delivered, refused] = await deliverer().deliverAll([job(fine.url), job(gone.url)]);
    expect(delivered).toMatchObject({ result: 'delivered' });
    expect(refused).toMatchObject({ result: 'failed', error: 'HTTP 410' });
    expect(fine.signatures.at(-1)).toContain('keyId="https://murmur.test/users/alice#main-key"');
  });

  it('retries a 500 and an unreachable host with back-off, then stops asking a dead host', async () => {
    const sender = deliverer({ threshold: 3 });
    const first = await sender.deliver(job(failing.url));
    expect(first).toMatchObject({ result: 'retry', error: 'HTTP 500' });
    expect(first.retryInMs).toBeGreaterThanOrEqual(45_000);
    const later = await sender.deliver(job(failing.url, 5));
    expect(later.retryInMs!).toBeGreaterThan(first.retryInMs! * 8);
    expect(await sender.deliver(job(failing.url, 15))).toMatchObject({ result: 'failed' });
    // Three failures in a row: the circuit is open, the next ten make no request.
    const before = failing.requests;
    const deferred = await sender.deliverAll(Array.from({ length: 10 }, () => job(failing.url)));
    expect(deferred.every((outcome) => outcome.result === 'deferred')).toBe(true);
    expect(failing.requests).toBe(before);
    // Others are not slowed: the healthy inbox still gets its delivery.
    expect(await sender.deliver(job(fine.url))).toMatchObject({ result: 'delivered' });

    const unreachable = await sender.deliver(job(deadUrl));
    expect(unreachable.result).toBe('retry');
  });

  it('sends at most `perHostConcurrency` requests to a slow host while others go on', async () => {
    const sender = deliverer({ perHost: 2 });
    const started = Date.now();
    const slowJobs = sender.deliverAll(Array.from({ length: 6 }, () => job(slow.url)));
    const fast = await sender.deliver(job(fine.url));
    const fastMs = Date.now() - started;
    expect(fast.result).toBe('delivered');
    const outcomes = await slowJobs;
    expect(outcomes.every((outcome) => outcome.result === 'delivered')).toBe(true);
    expect(slow.peak).toBe(2);
    // Six 300 ms answers two at a time take about 900 ms; the healthy inbox did not wait for them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(fastMs).toBeLessThan(600);
  });

  it('gives up on an inbox slower than its timeout, to retry it later', async () => {
    const outcome = await deliverer({ timeoutMs: 100 }).deliver(job(slow.url));
    expect(outcome.result).toBe('retry');
  });
});
