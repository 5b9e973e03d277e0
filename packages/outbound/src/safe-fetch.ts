/**
 * `fetch` for addresses users choose. The destination is judged on the address actually connected
 * to: names are resolved inside the connector (a DNS answer that changes between a check and the
 * connection — DNS rebinding — cannot slip through), IP literals are judged before connecting, and
 * every redirect hop goes through the same connector. Bodies are size-limited while they stream,
 * and one deadline covers the whole exchange, body included.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';

import { AddressPolicy, BlockedDestinationError, bareAddress } from './addresses.js';

export interface SafeFetchOptions {
  /** CIDRs that may be reached although private/loopback/link-local (ALLOWED_PRIVATE_ADDRESSES). */
  allowedPrivateAddresses: readonly string[];
  timeoutMs?: number; // whole request incl. body, default 10_000
  maxResponseBytes?: number; // default 1 MiB; larger bodies abort with an error
  maxRedirects?: number; // default 5; every hop re-checked; 0 = none
  userAgent?: string;
}

export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Protocol = 'http:' | 'https:';

/** A resolver that refuses the whole name when any of its addresses may not be reached. */
function checkedLookup(policy: AddressPolicy, protocol: Protocol): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      try {
        for (const { address } of addresses) policy.assertReachable(address, protocol, hostname);
      } catch (refusal) {
        callback(refusal as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      } else {
        const [first] = addresses;
        if (first === undefined) {
          callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
          return;
        }
        callback(null, first.address, first.family);
      }
    });
  };
}

function checkedAgent(policy: AddressPolicy, protocol: Protocol, timeoutMs: number): Agent {
  const connect = buildConnector({ lookup: checkedLookup(policy, protocol), timeout: timeoutMs });
  return new Agent({
    connect: (options, callback) => {
      // Node skips the resolver for IP literals, so they are judged here.
      const host = bareAddress(options.hostname);
      if (isIP(host) !== 0) {
        try {
          policy.assertReachable(host, protocol, options.hostname);
        } catch (refusal) {
          callback(refusal as Error, null);
          return;
        }
      }
      connect(options, callback);
    },
    connectTimeout: timeoutMs,
  });
}

/** The BlockedDestinationError undici wrapped into its generic "fetch failed". */
function unwrapRefusal(error: unknown): unknown {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth += 1) {
    if (cause instanceof BlockedDestinationError) return cause;
    cause = cause.cause;
  }
  return error;
}

function limitedBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  url: string,
): ReadableStream<Uint8Array> {
  let received = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          controller.error(
            new ResponseTooLargeError(`The response of ${url} exceeds ${maxBytes} bytes`),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: ArrayBuffer | null;
}

/** The next request after a redirect, as the fetch standard describes it. */
function redirected(hop: Hop, status: number, location: URL): Hop {
  const changesToGet =
    (status === 303 && hop.method !== 'HEAD') ||
    ((status === 301 || status === 302) && hop.method === 'POST');
  const headers = new Headers(hop.headers);
  if (changesToGet) {
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language']) {
      headers.delete(name);
    }
  }
  if (location.origin !== hop.url.origin) {
    headers.delete('authorization');
    headers.delete('cookie');
  }
  return {
    url: location,
    method: changesToGet ? 'GET' : hop.method,
    headers,
    body: changesToGet ? null : hop.body,
  };
}

export function createSafeFetch(options: SafeFetchOptions): typeof fetch {
  const policy = new AddressPolicy(options.allowedPrivateAddresses);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const agents: Record<Protocol, Agent> = {
    'http:': checkedAgent(policy, 'http:', timeoutMs),
    'https:': checkedAgent(policy, 'https:', timeoutMs),
  };

  async function safeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
    const headers = new Headers(request.headers);
    if (options.userAgent !== undefined && !headers.has('user-agent')) {
      headers.set('user-agent', options.userAgent);
    }
    // Buffered so that a 307/308 redirect can send it again; outgoing bodies here are small.
    const body = request.body === null ? null : await request.arrayBuffer();
    let hop: Hop = { url: new URL(request.url), method: request.method, headers, body };

    for (let redirects = 0; ; redirects += 1) {
      const protocol = hop.url.protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new BlockedDestinationError(
          `Refusing ${hop.url.protocol} URL ${hop.url.href}: only http and https`,
        );
      }
      let response;
      try {
        response = await undiciFetch(hop.url, {
          method: hop.method,
          headers: [...hop.headers],
          body: hop.body,
          redirect: 'manual',
          signal,
          dispatcher: agents[protocol],
        });
      } catch (error) {
        throw unwrapRefusal(error);
      }

      const location = response.headers.get('location');
      if (REDIRECT_STATUSES.has(response.status) && location !== null) {
        await response.body?.cancel();
        if (request.redirect === 'error') {
          throw new TypeError(`${hop.url.href} redirected while redirect: 'error' was asked`);
        }
        if (redirects >= maxRedirects) {
          throw new BlockedDestinationError(
            `Too many redirects (more than ${maxRedirects}) from ${request.url}`,
          );
        }
        hop = redirected(hop, response.status, new URL(location, hop.url));
        continue;
      }

      const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declaredLength > maxResponseBytes) {
        await response.body?.cancel();
        throw new ResponseTooLargeError(
          `The response of ${hop.url.href} declares ${declaredLength} bytes, more than ${maxResponseBytes}`,
        );
      }
      const result = new Response(
        response.body === null
          ? null
          : (limitedBody(
              response.body as ReadableStream<Uint8Array>,
              maxResponseBytes,
              hop.url.href,
            ) as ReadableStream),
        {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers],
        },
      );
      Object.defineProperty(result, 'url', { value: hop.url.href });
      Object.defineProperty(result, 'redirected', { value: redirects > 0 });
      return result;
    }
  }

  return safeFetch as typeof fetch;
}
