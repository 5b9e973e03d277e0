/**
 * Live updates for a signed-in visitor: server-sent events at `/live/<stream>`, authenticated by the
 * session cookie, relayed from the API's streaming endpoint for that session. The browser holds no
 * API token; the API does the fan-out (one road, the REST visibility rules: followers-only, direct,
 * blocks, mutes, filters) and this route only passes its event stream on, byte for byte. Anonymous
 * visitors read the public stream from the API directly (`views/live.ts`).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { WEB_SESSION_HEADER } from '@murmur/service-kit';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import type { FrontendDependencies } from '../pages.js';

/** The website's live streams and the API streams they relay. */
const RELAYED_STREAMS = {
  home: 'user',
  notifications: 'user/notification',
  public: 'public/local',
} as const;

export type LiveStream = keyof typeof RELAYED_STREAMS;

/** The path of a live stream, for the pages that show it (`views/live.ts`). */
export function liveStreamPath(stream: LiveStream): string {
  return `/live/${stream}`;
}

const LiveParams = Type.Object({
  stream: Type.Union(Object.keys(RELAYED_STREAMS).map((name) => Type.Literal(name))),
});
type LiveParams = Static<typeof LiveParams>;

export function registerLiveRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  // Open relays end with the website: a shutdown must not wait for streams that never finish
  // (the browser's EventSource reconnects to another replica).
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const relay of open) relay.abort();
  });

  app.get<{ Params: LiveParams }>(
    '/live/:stream',
    { schema: { params: LiveParams } },
    async (request, reply) => {
      // Not the sign-in redirect other pages answer with: an EventSource cannot follow it to a
      // page, and a plain 401 makes it stop rather than retry.
      const signedOut = () =>
        reply
          .code(401)
          .type('text/plain; charset=utf-8')
          .send('Please sign in to follow live updates.');
      if (!request.viewer || !request.sessionId) return signedOut();
      const relay = new AbortController();
      const upstream = await fetch(
        `${deps.config.apiInternalUrl}/api/v1/streaming/${RELAYED_STREAMS[request.params.stream as LiveStream]}`,
        {
          headers: {
            [WEB_SESSION_HEADER]: request.sessionId,
            // The API limits connections per client address: the visitor's, not the website's.
            'x-forwarded-for': request.ip,
            accept: 'text/event-stream',
          },
          signal: relay.signal,
        },
      ).catch((err: unknown) => {
        request.log.warn({ err }, 'live: the streaming API did not answer');
        throw new HttpError(503, 'Live updates are not available right now.');
      });
      if (!upstream.ok || upstream.body === null) {
        relay.abort();
        if (upstream.status === 401) return signedOut();
        if (upstream.status === 429) {
          throw new HttpError(429, 'Too many live updates are open; close a tab and try again.');
        }
        throw new HttpError(503, 'Live updates are not available right now.');
      }
      open.add(relay);
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      // The global fetch's stream is node's own; only the DOM typings of it differ.
      const events = Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>);
      const end = () => {
        open.delete(relay);
        relay.abort();
        events.destroy();
        if (!response.writableEnded) response.end();
      };
      // Either side ending ends the other: the visitor left, or the API closed the stream
      // (revoked token, shutdown), and the browser reconnects as the protocol says.
      response.once('close', end);
      events.once('end', end);
      events.once('error', end);
      events.pipe(response, { end: false });
    },
  );
}
