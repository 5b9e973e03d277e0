/**
 * CORS for browser clients (Elk, Phanpy): any origin, never credentials, on the API, the token and
 * revocation endpoints and discovery documents. Never on `/oauth/authorize` or the sign-in pages
 * (RFC 9700 §2.6).
 */
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

// Media files too, so that web clients on other origins can draw them on a canvas.
const CORS_PREFIXES = ['/api/', '/.well-known/', '/nodeinfo/', '/media/'];
const CORS_PATHS = new Set(['/oauth/token', '/oauth/revoke']);

export function allowsCors(url: string): boolean {
  const path = url.split('?')[0]!;
  return CORS_PATHS.has(path) || CORS_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export const corsPolicy = fp(
  async (app: ApiInstance) => {
    await app.register(cors, {
      delegator: (request, callback) => {
        callback(
          null,
          allowsCors(request.url ?? '')
            ? {
                origin: '*',
                credentials: false,
                methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
                allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept'],
                exposedHeaders: [
                  'Link',
                  'X-RateLimit-Limit',
                  'X-RateLimit-Remaining',
                  'X-RateLimit-Reset',
                  'X-Request-Id',
                ],
                maxAge: 86_400,
              }
            : { origin: false },
        );
      },
    });
  },
  { name: 'murmur-cors' },
);
