/**
 * Response headers that every answer carries (ASVS 5 §3.4): no MIME sniffing, no Referer, no
 * framing, HSTS on https. HTML pages (the OAuth sign-in and consent pages) get a strict CSP that
 * allows only our own stylesheet; JSON gets `default-src 'none'`. The API docs page needs swagger-ui's
 * scripts and is the one relaxed exception.
 */
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

export const HTML_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** Uploaded files: even if a browser were to render one as a document, it could run nothing. */
export const MEDIA_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

export const securityHeaders = fp(
  async (app: ApiInstance, options: { hsts: boolean }) => {
    app.addHook('onSend', async (request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      if (options.hsts)
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      const type = String(reply.getHeader('content-type') ?? '');
      if (request.url.startsWith('/api/docs')) reply.header('content-security-policy', DOCS_CSP);
      else if (request.url.startsWith('/media/'))
        reply.header('content-security-policy', MEDIA_CSP);
      else if (type.startsWith('text/html')) reply.header('content-security-policy', HTML_CSP);
      else reply.header('content-security-policy', JSON_CSP);
      return payload;
    });
  },
  { name: 'murmur-security-headers' },
);
