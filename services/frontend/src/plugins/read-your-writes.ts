/**
 * Read-your-writes with a lagging read replica (DATABASE_READ_URL). Pages read through
 * `database.replica`; after a successful form post (a post, reply, favourite, follow…) the browser
 * gets a short-lived cookie, and while it lasts its pages are read from the primary, so a person sees
 * their own post right after posting. A cookie rather than memory: it reaches whichever website
 * process serves the next page. It carries no identity: a client that sends it only gets fresher
 * reads. See ARCHITECTURE.md ("Read replica").
 */
import {
  readFromPrimaryForThisRequest,
  READ_YOUR_WRITES_WINDOW_MS,
  withReadRouting,
} from '@murmur/db';
import type { FastifyInstance } from 'fastify';

export const RECENT_WRITE_COOKIE = 'murmur_recent_write';

export function registerReadYourWrites(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onRequest', (request, _reply, done) => {
    withReadRouting(() => {
      const until = Number(request.cookies[RECENT_WRITE_COOKIE]);
      if (Number.isFinite(until) && until > Date.now()) readFromPrimaryForThisRequest();
      done();
    });
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && reply.statusCode < 400) {
      void reply.setCookie(RECENT_WRITE_COOKIE, String(Date.now() + READ_YOUR_WRITES_WINDOW_MS), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.https,
        maxAge: Math.ceil(READ_YOUR_WRITES_WINDOW_MS / 1000),
      });
    }
    return payload;
  });
}
