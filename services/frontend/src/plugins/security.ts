import { setCommonSecurityHeaders } from '@murmur/service-kit/web-edge';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Security headers on every response the website sends, errors and 404s included. */
export function securityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    setCommonSecurityHeaders(reply, { hsts: options.https });
    if (!reply.hasHeader('referrer-policy'))
      reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-type')) reply.header('content-type', 'text/html; charset=utf-8');
    return payload;
  });
}

/**
 * A state-changing request that a browser says comes from another site: `Sec-Fetch-Site:
 * cross-site`, or an `Origin` other than the public one. Requests without either header (mail
 * providers' one-click unsubscribe, old browsers) are judged by their CSRF token alone.
 */
export function isCrossSite(request: FastifyRequest, publicOrigin: string): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== publicOrigin;
}
