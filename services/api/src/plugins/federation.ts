/**
 * Mounts Fedify's request handler (the ActivityPub side: WebFinger, actors, collections, inboxes)
 * in the API, at the paths the public proxy sends here. Fedify speaks the Fetch API: each request
 * is turned into a `Request` at the public origin (URIs and signatures are checked against it)
 * with the body as received, byte for byte (the `Digest` header signs those bytes), and its
 * `Response` is sent back as it is.
 *
 * `/users/alice` asked for as a web page (not as ActivityPub JSON) redirects to the profile page
 * `/@alice`, and a status's id `/users/alice/statuses/1` to its page `/@alice/1`, as Mastodon does.
 */
import type { Federation } from '@fedify/fedify';
import { type DomainGate, parseLocalStatusUri } from '@murmur/federation';
import { profileUrl, statusUrl } from '@murmur/service-kit/public-urls';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiInstance } from './context.js';

export interface FederationRoutesOptions {
  federation: Federation<void>;
  /** The instance's suspensions: a suspended server's requests are refused (403) up front. */
  domainGate: DomainGate;
}

/** The paths Fedify answers; the proxies route them to the API. */
export const FEDERATION_ROUTES = [
  { url: '/.well-known/webfinger', methods: ['GET'] },
  { url: '/users/*', methods: ['GET', 'POST'] },
  { url: '/inbox', methods: ['POST'] },
] as const;

const ACTOR_PAGE = /^\/users\/([A-Za-z0-9_]{1,30})\/?$/;

function jsonError(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

function suspended(): Response {
  return jsonError(403, 'This server is suspended by this instance');
}

async function sendResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.status(response.status);
  response.headers.forEach((value, name) => void reply.header(name, value));
  return reply.send(Buffer.from(await response.arrayBuffer()));
}

export async function federationRoutes(
  app: ApiInstance,
  { federation, domainGate }: FederationRoutesOptions,
): Promise<void> {
  const origin = app.config.publicOrigin;
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();

  // This scope reads bodies as bytes (activities are signed as sent), within the API's body limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    rawBodies.set(request, body as Buffer);
    done(null, {});
  });

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const body = rawBodies.get(request);
    const webRequest = new Request(new URL(request.url, origin), {
      method: request.method,
      headers,
      ...(body && request.method !== 'GET' && request.method !== 'HEAD'
        ? { body: new Uint8Array(body) }
        : {}),
    });
    // A suspended server's activities and signed fetches are refused before any verification, so
    // its keys are never fetched (secure mode's predicates ask the same for reads: onUnauthorized).
    if (request.method === 'POST' && (await domainGate.refuses(webRequest, body))) {
      return sendResponse(reply, suspended());
    }
    const response = await federation.fetch(webRequest, {
      contextData: undefined,
      onUnauthorized: async (refused) =>
        (await domainGate.refuses(refused))
          ? suspended()
          : jsonError(401, 'A valid HTTP signature is required'),
      onNotFound: () => jsonError(404, 'Record not found'),
      onNotAcceptable: (asked) => {
        const actor = ACTOR_PAGE.exec(new URL(asked.url).pathname);
        if (actor) return Response.redirect(profileUrl(origin, actor[1]!), 302);
        const status = parseLocalStatusUri(origin, asked.url);
        if (status) {
          return Response.redirect(statusUrl(origin, status.username, status.statusId), 302);
        }
        return jsonError(406, 'Ask for application/activity+json');
      },
    });
    return sendResponse(reply, response);
  }

  for (const route of FEDERATION_ROUTES) {
    app.route({
      method: [...route.methods],
      url: route.url,
      config: { auth: 'none' },
      schema: {
        tags: ['federation'],
        summary: 'ActivityPub (Fedify)',
        hide: true,
        querystring: Type.Object({}, { additionalProperties: true }),
      },
      handler: handle,
    });
  }
}
