import type { MediaStorage } from '@murmur/media';
import type { Database } from '@murmur/db';
import type { Logger } from '@murmur/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FrontendConfig } from './config.js';
import { toHtmlString } from '@murmur/service-kit/web-edge';
import { csrfTokenFor } from './plugins/session.js';
import type { PageContext } from './views/context.js';
import { layout, type PageOptions } from './views/layout.js';

export interface FrontendDependencies {
  config: FrontendConfig;
  database: Database;
  logger: Logger;
  clock: () => Date;
  assetVersion: string;
  mediaStorage: MediaStorage;
}

export function pageContext(request: FastifyRequest, deps: FrontendDependencies): PageContext {
  const viewer = request.viewer;
  return {
    viewer: viewer?.account ?? null,
    csrfToken: viewer ? csrfTokenFor(viewer.session.csrfSecret) : null,
    now: deps.clock(),
    path: safeReturnPath(request.url),
    maxStatusCharacters: deps.config.maxStatusCharacters,
    assetVersion: deps.assetVersion,
  };
}

export function sendPage(
  reply: FastifyReply,
  context: PageContext,
  page: PageOptions,
  statusCode = 200,
): FastifyReply {
  // Pages for a signed-in person are personal: never stored by shared caches.
  reply.header(
    'cache-control',
    context.viewer ? 'private, no-store' : 'public, max-age=0, must-revalidate',
  );
  return reply
    .code(statusCode)
    .type('text/html; charset=utf-8')
    .send(toHtmlString(layout(context, page)));
}

/**
 * A same-origin path to come back to after a form, or '/'. Refuses anything a browser could read
 * as another origin: `//host`, `/\host`, schemes, encoded slashes at the start, control characters.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/^\/%(?:2f|5c)/i.test(value) || /[\p{Cc}\\]/u.test(value)) return '/';
  return value;
}

/** After a successful form: 303 See Other back to the page the form was on. */
export function redirectBack(reply: FastifyReply, returnTo: unknown, fallback = '/'): FastifyReply {
  const path = safeReturnPath(returnTo);
  return reply.redirect(path === '/' ? fallback : path, 303);
}
