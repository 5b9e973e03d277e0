/**
 * Read-your-writes with a lagging read replica (DATABASE_READ_URL). Reads that tolerate lag go to
 * `database.replica`; for a few seconds after an account's successful write (any authenticated
 * request that is not a GET), that account's requests read from the primary instead, so a person
 * sees their own post, follow or favourite at once. See ARCHITECTURE.md ("Read replica").
 */
import { readFromPrimaryForThisRequest, RecentWriters, withReadRouting } from '@murmur/db';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const readYourWrites = fp(
  async (app: ApiInstance, options: { writers?: RecentWriters }) => {
    const writers = options.writers ?? new RecentWriters();
    // After authentication (its onRequest hook runs first), so the account is known.
    app.addHook('onRequest', (request, _reply, done) => {
      withReadRouting(() => {
        const accountId = request.auth?.accountId;
        if (accountId && writers.isRecent(accountId)) readFromPrimaryForThisRequest();
        done();
      });
    });
    // Before the answer leaves: the client's next request may follow the instant it arrives.
    app.addHook('onSend', async (request, reply, payload) => {
      const accountId = request.auth?.accountId;
      if (accountId && !READS.has(request.method) && reply.statusCode < 400) {
        writers.mark(accountId);
      }
      return payload;
    });
  },
  { name: 'murmur-read-your-writes', dependencies: ['murmur-auth'] },
);
