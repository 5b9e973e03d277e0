/**
 * One error handler for the whole API. Mastodon routes answer `{"error": "..."}` with the status that
 * carries the meaning (https://docs.joinmastodon.org/entities/Error/); OAuth endpoints answer RFC 6749
 * §5.2 errors. Unexpected errors become a generic 500 (logged with the request id, never shown), and
 * an unreachable database a 503.
 */
import {
  isDomainError,
  isTransientDatabaseError,
  type DomainError,
  type DomainErrorCode,
} from '@murmur/db';
import { httpStatusOfDomainError } from '@murmur/service-kit/web-edge';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

/** An HTTP answer thrown from a handler: status, JSON body and extra headers. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.error === 'string' ? body.error : `HTTP ${statusCode}`);
  }
}

export const NOT_FOUND_BODY = { error: 'Record not found' };

/** OAuth endpoints speak RFC 6749 errors; everything else speaks Mastodon's. */
export function isOAuthRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.url ?? request.url).startsWith('/oauth/');
}

const OAUTH_CODES: Partial<Record<DomainErrorCode, { status: number; error: string }>> = {
  InvalidGrant: { status: 400, error: 'invalid_grant' },
  InvalidScope: { status: 400, error: 'invalid_scope' },
  InvalidClient: { status: 401, error: 'invalid_client' },
  InvalidRedirectUri: { status: 400, error: 'invalid_request' },
};

/** Maps a domain rule to an HTTP answer. */
export function domainErrorResponse(
  error: DomainError,
  oauth: boolean,
): { status: number; body: Record<string, unknown> } {
  const oauthCode = OAUTH_CODES[error.code];
  if (oauthCode && (oauth || error.code === 'InvalidGrant' || error.code === 'InvalidClient')) {
    return {
      status: oauthCode.status,
      body: { error: oauthCode.error, error_description: error.message },
    };
  }
  const status = httpStatusOfDomainError(error.code);
  if (status === 404) return { status, body: NOT_FOUND_BODY };
  if (status === 403) {
    return { status, body: { error: error.message || 'This action is not allowed' } };
  }
  // Some operations already word their message as Mastodon does ("Validation failed: Text …").
  const message = error.message.startsWith('Validation failed')
    ? error.message
    : `Validation failed: ${error.message}`;
  return { status, body: { error: message } };
}

function sendError(
  reply: FastifyReply,
  status: number,
  body: Record<string, unknown>,
): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export const errorHandling = fp(
  async (app: ApiInstance) => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const oauth = isOAuthRoute(request);
      if (error instanceof HttpError) {
        reply.headers(error.headers);
        return sendError(reply, error.statusCode, error.body);
      }
      if ('validation' in error && error.validation) {
        return oauth
          ? sendError(reply, 400, { error: 'invalid_request', error_description: error.message })
          : sendError(reply, 422, { error: `Validation failed: ${error.message}` });
      }
      if (isDomainError(error)) {
        const { status, body } = domainErrorResponse(error, oauth);
        return sendError(reply, status, body);
      }
      if (isTransientDatabaseError(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        reply.header('retry-after', '5');
        return sendError(reply, 503, { error: 'Service temporarily unavailable' });
      }
      const status = (error as FastifyError).statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return sendError(
          reply,
          status,
          oauth
            ? { error: 'invalid_request', error_description: error.message }
            : { error: error.message },
        );
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendError(reply, 500, { error: 'An unexpected error occurred' });
    });

    app.setNotFoundHandler((_request, reply) => sendError(reply, 404, NOT_FOUND_BODY));
  },
  { name: 'murmur-errors' },
);
