/**
 * Builds the API service from its dependencies, without listening: tests drive it with `inject()`,
 * server.ts listens. The order of registration matters: errors and headers first, then body
 * parsing, authentication, rate limits (which need to know the caller), docs, and the routes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Federation } from '@fedify/fedify';
import { type Database } from '@murmur/db';
import { authenticate } from '@murmur/db/accounts';
import {
  createDomainGate,
  createMurmurFederation,
  createRemoteAccountResolver,
  federationUserAgent,
} from '@murmur/federation';
import {
  createMetricsRegistry,
  httpMetrics,
  type Logger,
  type Registry,
} from '@murmur/service-kit';
import { createMediaStorage, type MediaStorage } from '@murmur/media';
import { createSafeFetch } from '@murmur/outbound';
import Fastify from 'fastify';
import type { ApiConfig } from './config.js';
import { readYourWrites } from './plugins/read-your-writes.js';
import { createStatusJsonWriter, registerStatusJsonMetrics } from './entities/status-json.js';
import { authentication } from './plugins/auth.js';
import { emailConfirmation } from './plugins/email-confirmation.js';
import { bodyParsing } from './plugins/body-parsing.js';
import type { ApiInstance, Clock } from './plugins/context.js';
import { corsPolicy } from './plugins/cors.js';
import { errorHandling } from './plugins/errors.js';
import { federationRoutes } from './plugins/federation.js';
import { mediaUrl } from './entities/context.js';
import { healthRoutes } from '@murmur/service-kit/web-edge';
import { openApi } from './plugins/openapi.js';
import { parseQueryString } from './plugins/params.js';
import { DEFAULT_RATE_LIMITS, rateLimiting, type RateLimitSettings } from './plugins/rate-limit.js';
import { securityHeaders } from './plugins/security-headers.js';
import { validationMessage } from './plugins/validation-message.js';
import { streaming, type StreamingOptions } from './streaming/index.js';
import apiRoutes from './routes/api/index.js';
import accountRegistrationRoutes from './routes/api/v1/accounts-registration.js';
import appRoutes from './routes/api/v1/apps.js';
import oauthRoutes from './routes/oauth/index.js';
import wellKnownRoutes from './routes/well-known/index.js';

/** Checks a person's password; replaceable in tests to count how often bcrypt runs. */
export type PasswordAuthenticator = typeof authenticate;

export interface BuildAppOptions {
  config: ApiConfig;
  database: Database;
  logger: Logger;
  clock?: Clock;
  /** Overrides of Mastodon's limits (tests use small numbers). */
  rateLimits?: Partial<RateLimitSettings>;
  authenticator?: PasswordAuthenticator;
  /** More routes, registered like the API's own (tests use it to probe the plugins). */
  extraRoutes?: (app: ApiInstance) => Promise<void>;
  /** Where request metrics go (served at `/metrics`); default: a new registry. */
  metricsRegistry?: Registry;
  /** Default: the storage MEDIA_STORAGE configures. */
  mediaStorage?: MediaStorage;
  /** The streaming API's event feed (server.ts: NATS) and timings; without a feed nothing streams. */
  streaming?: StreamingOptions;
  /** The ActivityPub side (Fedify); default: Murmur's, on this database and origin. */
  federation?: Federation<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: PasswordAuthenticator;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is well-formed (it goes into logs), else a new one. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

const SECRET_QUERY_PARAMETERS =
  /([?&](?:access_token|code|code_verifier|client_secret|token|password)=)[^&]*/gi;

/** The URL as logged: credentials a client put in the query string are masked. */
export function redactedUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMETERS, '$1[redacted]');
}

export async function buildApp(options: BuildAppOptions): Promise<ApiInstance> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger.child(
      {},
      {
        serializers: {
          req: (request: { method: string; url: string; ip?: string }) => ({
            method: request.method,
            url: redactedUrl(request.url),
            remoteAddress: request.ip,
          }),
        },
      },
    ),
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdOf,
    routerOptions: { querystringParser: parseQueryString },
    schemaErrorFormatter: (errors, context) => new Error(validationMessage(context, errors)),
    ajv: {
      customOptions: {
        removeAdditional: true,
        // Scalars only (`"5"` → 5, `"true"` → true), never to or from arrays: Ajv's 'array' mode
        // unwraps a one-element array inside each `anyOf` branch it tries and leaves the array in
        // the request when a later branch accepts the unwrapped value, so `{"notifications": ["1"]}`
        // passed as the string "1" and reached the handler as an array (a 500). Fields that take one
        // value or a list say so with a union (`StringOrList`); anything else in a list is a 422.
        coerceTypes: true,
        allErrors: false,
        useDefaults: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as ApiInstance;

  app.decorate('config', config);
  app.decorate('database', options.database);
  app.decorate('clock', options.clock ?? (() => new Date()));
  const statusJson = createStatusJsonWriter(config.publicOrigin);
  app.decorate('statusJson', statusJson);
  app.decorate('authenticator', options.authenticator ?? authenticate);
  app.decorate('mediaStorage', options.mediaStorage ?? createMediaStorage(config.mediaStorage));
  const outboundFetch = createSafeFetch({
    allowedPrivateAddresses: config.allowedPrivateAddresses,
    userAgent: federationUserAgent(config.publicOrigin),
  });
  const federation =
    options.federation ??
    createMurmurFederation({
      database: options.database,
      publicOrigin: config.publicOrigin,
      profileImageUrl: (key) => mediaUrl(config.publicOrigin, key),
      fetch: outboundFetch,
      userAgent: federationUserAgent(config.publicOrigin),
      authorizedFetch: config.AUTHORIZED_FETCH,
    });
  app.decorate(
    'remoteAccounts',
    createRemoteAccountResolver({
      database: options.database,
      federation,
      fetch: outboundFetch,
      publicOrigin: config.publicOrigin,
    }),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandling);
  const metricsRegistry = options.metricsRegistry ?? createMetricsRegistry({ service: 'api' });
  registerStatusJsonMetrics(statusJson, metricsRegistry);
  await app.register(httpMetrics, { registry: metricsRegistry });
  await app.register(securityHeaders, { hsts: config.secure });
  await app.register(corsPolicy);
  await app.register(bodyParsing);
  await app.register(cookie);
  await app.register(authentication);
  await app.register(readYourWrites);
  await app.register(emailConfirmation);
  await app.register(rateLimiting, { settings: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits } });
  await app.register(openApi);
  await app.register(healthRoutes, { ping: () => app.database.ping() });

  await app.register(oauthRoutes);
  await app.register(wellKnownRoutes);
  await app.register(appRoutes);
  await app.register(accountRegistrationRoutes);
  await app.register(federationRoutes, {
    federation,
    domainGate: createDomainGate(options.database),
  });
  await app.register(apiRoutes, { prefix: '' });
  await app.register(streaming, options.streaming ?? {});
  if (options.extraRoutes) await app.register(options.extraRoutes);

  return app;
}
