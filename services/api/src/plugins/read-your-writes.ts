/**
 * Read-your-writes with a lagging read replica (DATABASE_READ_URL). Reads that tolerate lag go to
 * `database.replica`; for a few seconds after an account's successful write (any authenticated
 * request that is not a GET), that account's requests read from the primary instead, so a person
 * sees their own post, follow or favourite at once, whichever API process their next request reaches:
 * the write is recorded in the database (`markAccountWrote`) before the answer leaves, and the token
 * lookup each request makes on the primary reads it back (`wroteRecently`). The process's own memory
 * of its recent writers spares the upsert for a burst of writes. See ARCHITECTURE.md ("Read replica").
 */
import {
  markAccountWrote,
  readFromPrimaryForThisRequest,
  RecentWriters,
  withReadRouting,
} from '@murmur/db';
import fp from 'fastify-plugin';
import type { ApiInstance } from './context.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How often one process records the same account's writes at most. */
const MARK_REFRESH_MS = 1_000;

export const readYourWrites = fp(
  async (app: ApiInstance, options: { writers?: RecentWriters }) => {
    // Without a replica every read is on the primary already: nothing to route, nothing to record.
    if (app.database.replicaPool === app.database.pool) return;
    const writers = options.writers ?? new RecentWriters();
    // After authentication (its onRequest hook runs first), so the account is known.
    app.addHook('onRequest', (request, _reply, done) => {
      withReadRouting(() => {
        const accountId = request.auth?.accountId;
        if (accountId && (request.auth?.wroteRecently || writers.isRecent(accountId))) {
          readFromPrimaryForThisRequest();
        }
        done();
      });
    });
    // Before the answer leaves: the client's next request may follow the instant it arrives, on
    // another process.
    app.addHook('onSend', async (request, reply, payload) => {
      const accountId = request.auth?.accountId;
      if (accountId && !READS.has(request.method) && reply.statusCode < 400) {
        const markedJustNow = writers.markedWithin(accountId, MARK_REFRESH_MS);
        writers.mark(accountId);
        if (!markedJustNow) {
          // The write itself is done: failing to record it costs other processes a few seconds of
          // possible staleness, never the answer.
          await markAccountWrote(app.database, accountId).catch((error: unknown) =>
            request.log.warn({ err: error }, 'could not record the write for read-your-writes'),
          );
        }
      }
      return payload;
    });
  },
  { name: 'murmur-read-your-writes', dependencies: ['murmur-auth'] },
);
