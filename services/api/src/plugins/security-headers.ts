/**
 * Response headers that every answer carries (ASVS 5 §3.4): no MIME sniffing, no Referer, no
 * framing, HSTS on https. HTML pages (the OAuth sign-in and consent pages) get a strict CSP that
 * allows only our own stylesheet; JSON gets `default-src 'none'`. The API docs page needs swagger-ui's
 * scripts and is the one relaxed exception. A page whose form leads to an OAuth client's redirect
 * URI sends its own policy, `htmlCsp([that client's origin])`: browsers apply `form-action` to the
 * redirects that follow a form POST too, so 'self' alone would block the way back to the client.
 */
import { setCommonSecurityHeaders } from '@murmur/service-kit/web-edge';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

/** The HTML pages' policy; `formActionSources` are CSP sources a form may also submit (or be redirected) to. */
export function htmlCsp(formActionSources: readonly string[] = []): string {
  const formAction = ["'self'", ...formActionSources].join(' ');
  return `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

export const HTML_CSP = htmlCsp();
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** Uploaded files: even if a browser were to render one as a document, it could run nothing. */
export const MEDIA_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

export const securityHeaders = fp(
  async (app: ApiInstance, options: { hsts: boolean }) => {
    app.addHook('onSend', async (request, reply, payload) => {
      setCommonSecurityHeaders(reply, options);
      reply.header('referrer-policy', 'no-referrer');
      const type = String(reply.getHeader('content-type') ?? '');
      if (request.url.startsWith('/api/docs')) reply.header('content-security-policy', DOCS_CSP);
      else if (request.url.startsWith('/media/'))
        reply.header('content-security-policy', MEDIA_CSP);
      else if (type.startsWith('text/html')) {
        if (!reply.hasHeader('content-security-policy'))
          reply.header('content-security-policy', HTML_CSP);
      } else reply.header('content-security-policy', JSON_CSP);
      return payload;
    });
  },
  { name: 'murmur-security-headers' },
);
