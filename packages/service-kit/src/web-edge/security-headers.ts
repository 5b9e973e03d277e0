/**
 * The security headers every HTTP answer carries, in the API and the website alike. Each service
 * adds what differs by design: its Content-Security-Policy (the website runs its own scripts, the
 * API's JSON runs none) and its Referrer-Policy (the website keeps same-origin referrers for its
 * forms' return paths, the API sends none).
 */
import type { FastifyReply } from 'fastify';

export function setCommonSecurityHeaders(reply: FastifyReply, options: { hsts: boolean }): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  if (options.hsts)
    reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
