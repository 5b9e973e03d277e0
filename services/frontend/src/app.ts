import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import { registerReadYourWrites } from './plugins/read-your-writes.js';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { createMediaStorage, MEDIA_LIMITS, type MediaStorage } from '@murmur/media';
import type { Database } from '@murmur/db';
import {
  createMetricsRegistry,
  findInputProblem,
  httpMetrics,
  INPUT_PROBLEM_MESSAGES,
  notForwarded,
  type Logger,
  type Registry,
} from '@murmur/service-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FrontendConfig } from './config.js';
import { describeError, HttpError } from './errors.js';
import { healthRoutes, html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from './pages.js';
import { securityHeaders } from './plugins/security.js';
import { registerSession } from './plugins/session.js';
import { registerPhotoUploads } from './plugins/uploads.js';
import { registerActionRoutes } from './routes/actions.js';
import { registerEditingRoutes } from './routes/editing.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerBookmarkRoutes } from './routes/bookmarks.js';
import { registerEmailConfirmationRoutes } from './routes/email-confirmation.js';
import { registerFollowRequestRoutes } from './routes/follow-requests.js';
import { registerDirectMessageRoutes } from './routes/direct.js';
import { registerListRoutes } from './routes/lists.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerNotificationRequestRoutes } from './routes/notification-requests.js';
import { registerReadingRoutes } from './routes/reading.js';
import { registerSafetyRoutes } from './routes/safety.js';
import { registerAccountDeletionRoutes } from './routes/account-deletion.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerStatisticsRoutes } from './routes/statistics.js';
import { registerModerationRoutes } from './routes/moderation.js';
import { registerDomainBlockRoutes } from './routes/moderation-domain-blocks.js';
import { registerUnsubscribeRoutes } from './routes/unsubscribe.js';

export interface BuildAppOptions {
  config: FrontendConfig;
  database: Database;
  logger: Logger;
  clock?: () => Date;
  /** Where request metrics go (served at `/metrics`); default: a new registry. */
  metricsRegistry?: Registry;
  /** Default: the storage MEDIA_STORAGE configures. */
  mediaStorage?: MediaStorage;
}

const ASSETS = {
  'site.css': 'text/css; charset=utf-8',
  'compose.js': 'text/javascript; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
} as const;

function loadAssets() {
  const folder = new URL('../assets/', import.meta.url);
  const files = Object.fromEntries(
    Object.entries(ASSETS).map(([name, type]) => [
      name,
      { type, body: readFileSync(new URL(name, folder)) },
    ]),
  ) as Record<keyof typeof ASSETS, { type: string; body: Buffer }>;
  const hash = createHash('sha256');
  for (const file of Object.values(files)) hash.update(file.body);
  return { files, version: hash.digest('hex').slice(0, 10) };
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, database, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const https = config.publicUrl.protocol === 'https:';
  const assets = loadAssets();
  const deps: FrontendDependencies = {
    config,
    database,
    logger,
    clock,
    assetVersion: assets.version,
    mediaStorage: options.mediaStorage ?? createMediaStorage(config.mediaStorage),
  };

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Only these proxies may set X-Forwarded-For (TRUST_PROXY; loopback for the dev proxy).
    trustProxy: config.trustProxy,
    // Unique across replicas and restarts: it travels into the events a request writes (requestId).
    genReqId: () => randomUUID(),
    bodyLimit: 256 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });

  await app.register(httpMetrics, {
    registry: options.metricsRegistry ?? createMetricsRegistry({ service: 'frontend' }),
    // Everything but the API's paths reaches the website through the public proxy: scrapers read
    // the metrics on the website's own port, forwarded requests get the 404 page.
    allow: notForwarded,
  });
  securityHeaders(app, { https });
  await app.register(cookie);
  registerReadYourWrites(app, { https });
  await app.register(formbody);
  // The compose form with photos is multipart: its fields become the body (before the CSRF check
  // reads it) and its files `request.photos`.
  await app.register(multipart, {
    limits: { fields: 50, fieldSize: 100_000, files: 4, fileSize: MEDIA_LIMITS.maxUploadBytes },
  });
  registerPhotoUploads(app);
  registerSession(app, {
    https,
    publicOrigin: config.publicUrl.origin,
    database,
    clock,
    timeouts: {
      idleTimeoutMs: config.sessionIdleTimeoutMs,
      absoluteTimeoutMs: config.sessionAbsoluteTimeoutMs,
    },
  });

  // A NUL character cannot reach PostgreSQL (it fails the query): refuse it in any input, as a 400.
  app.addHook('preValidation', async (request) => {
    for (const input of [request.query, request.params, request.body]) {
      const problem = findInputProblem(input);
      if (problem) throw new HttpError(400, INPUT_PROBLEM_MESSAGES[problem]);
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    const described = describeError(error);
    if (described.statusCode === 503) {
      request.log.warn({ err: error }, 'database unavailable');
      void reply.header('retry-after', '5');
    } else if (described.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (described.statusCode === 401 && request.method === 'GET')
      return reply.redirect('/auth/sign_in', 303);
    const context = pageContext(request, deps);
    const body = html`<section class="error-page"><h1>${described.title}</h1><p>${described.message}</p><p><a href="/">Go to the public timeline</a></p></section>`;
    return sendPage(
      reply,
      context,
      { title: described.title, body, noindex: true },
      described.statusCode,
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    const context = pageContext(request, deps);
    const body = html`<section class="error-page"><h1>Not found</h1><p>There is nothing at this address. It may have been deleted, or the link may be mistyped.</p><p><a href="/">Go to the public timeline</a> or <a href="/search">search</a>.</p></section>`;
    return sendPage(reply, context, { title: 'Not found', body, noindex: true }, 404);
  });

  await app.register(healthRoutes, { ping: () => database.ping() });

  for (const [name, file] of Object.entries(assets.files)) {
    app.get(`/assets/${name}`, async (_request, reply) =>
      reply
        .type(file.type)
        // URLs carry the content hash (?v=), so browsers may keep them for a year.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', `"${assets.version}"`)
        .send(file.body),
    );
  }

  // First: its guard must see the posting and following routes registered after it.
  registerEmailConfirmationRoutes(app, deps);
  await registerAuthRoutes(app, deps);
  registerReadingRoutes(app, deps);
  registerActionRoutes(app, deps);
  registerEditingRoutes(app, deps);
  registerSettingsRoutes(app, deps);
  registerAccountDeletionRoutes(app, deps);
  registerNotificationRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerNotificationRequestRoutes(app, deps);
  registerBookmarkRoutes(app, deps);
  registerFollowRequestRoutes(app, deps);
  registerListRoutes(app, deps);
  registerDirectMessageRoutes(app, deps);
  registerSafetyRoutes(app, deps);
  registerStatisticsRoutes(app, deps);
  registerUnsubscribeRoutes(app, deps);
  registerModerationRoutes(app, deps);
  registerDomainBlockRoutes(app, deps);
  return app;
}
