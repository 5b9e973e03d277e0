/**
 * A Murmur API on the test database and a remote ActivityPub server on loopback (`_remote-actor`):
 * activities are delivered signed to the shared inbox, then applied as the worker's
 * `federation-inbox` consumer applies them (the same `createInboxApplier`), in the test's process.
 */
import {
  createInboxApplier,
  createMurmurFederation,
  createOutgoingPlanner,
  createRemoteAccountResolver,
  postActivity,
  RELATIONSHIP_EVENT_TYPES,
  signingIdentities,
  type InboxApplier,
  type ReplyFetchLimits,
} from '@murmur/federation';
import { createSafeFetch } from '@murmur/outbound';
import { markEventProcessed } from '@murmur/db/events';
import { outboxEvents } from '@murmur/db/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { mastodonFixture, type Values } from './_fixtures.js';
import { ORIGIN, startServer, type TestServer, type TestUser } from './_mastodon.js';
import { deliver, startRemoteActor, type RemoteActor } from './_remote-actor.js';

/** The worker's consumer that applies recorded activities (services/worker/src/federation-inbox.ts). */
const FEDERATION_INBOX_CONSUMER = 'federation-inbox';

export interface InboxHarness {
  server: TestServer;
  remote: RemoteActor;
  apply: InboxApplier;
  resolver: ReturnType<typeof createRemoteAccountResolver>;
  /** Delivers the activity signed by the remote actor (202 expected), then applies it. */
  deliverAndApply(activity: Record<string, unknown>, applier?: InboxApplier): Promise<void>;
  /**
   * Sends what the relationship events written since the last call ask for (Follow, Undo, Accept,
   * Reject, Block), planned as the worker's `federation-delivery` consumer plans them, each
   * delivered once (the ledger and its retries are the worker's, tested there); plans under a
   * ledger key already sent are skipped, as the ledger writes a key's deliveries once.
   */
  sendRelationshipEvents(): Promise<void>;
  /** An applier with other limits on fetching the parents of replies. */
  applierWith(limits: ReplyFetchLimits): InboxApplier;
  /** What the worker's `federation-delivery` consumer would send for an event. */
  planner: ReturnType<typeof createOutgoingPlanner>;
  close(): Promise<void>;
}

export async function startInboxHarness(): Promise<InboxHarness> {
  const remote = await startRemoteActor();
  const server = await startServer({ ALLOWED_PRIVATE_ADDRESSES: '127.0.0.0/8' });
  const safeFetch = createSafeFetch({ allowedPrivateAddresses: ['127.0.0.0/8'] });
  const federation = createMurmurFederation({
    database: server.database,
    publicOrigin: ORIGIN,
    profileImageUrl: (key) => `${ORIGIN}/media/${key}`,
    fetch: safeFetch,
  });
  const resolver = createRemoteAccountResolver({
    database: server.database,
    federation,
    fetch: safeFetch,
    publicOrigin: ORIGIN,
  });
  const parts = {
    database: server.database,
    federation,
    resolver,
    fetch: safeFetch,
    publicOrigin: ORIGIN,
  };
  const applierWith = (replyFetchLimits?: ReplyFetchLimits) =>
    createInboxApplier({ ...parts, ...(replyFetchLimits ? { replyFetchLimits } : {}) });
  const apply = applierWith();
  const planner = createOutgoingPlanner({
    database: server.database,
    federation,
    publicOrigin: ORIGIN,
  });
  const signer = signingIdentities(server.database, ORIGIN);
  const sent = new Set<string>();
  return {
    server,
    remote,
    apply,
    resolver,
    applierWith,
    planner,
    async deliverAndApply(activity, applier = apply) {
      const body = JSON.stringify(activity);
      expect(await deliver(server, body, remote.privateKey, remote.keyId)).toBe(202);
      const recorded = (await outboxEvents(server.database, ['RemoteActivityReceived'])).find(
        (event) => event.data.activityId === activity.id,
      );
      expect(recorded).toBeDefined();
      await applier(recorded!.data);
      // Marked as the worker's consumer marks it, so that a worker a test starts later does not
      // apply it a second time, out of order (an old Follow again after its Undo).
      await markEventProcessed(server.database, FEDERATION_INBOX_CONSUMER, recorded!.id);
    },
    async sendRelationshipEvents() {
      for (const event of await outboxEvents(server.database, RELATIONSHIP_EVENT_TYPES)) {
        if (sent.has(event.id)) continue;
        sent.add(event.id);
        const plan = await planner(event);
        if (!plan) continue;
        if (plan.ledgerKey !== undefined) {
          if (sent.has(plan.ledgerKey)) continue;
          sent.add(plan.ledgerKey);
        }
        const identity = await signer({
          senderAccountId: plan.senderAccountId,
          senderUsername: plan.senderUsername,
        });
        for (const inbox of plan.inboxes) {
          for (const activity of plan.activities) {
            const result = await postActivity(safeFetch, identity, inbox, JSON.stringify(activity));
            expect(result).toMatchObject({ kind: 'delivered' });
          }
        }
      }
    },
    async close() {
      await server.close();
      remote.server.close();
    },
  };
}

/**
 * Starts a harness before the calling file's tests and closes it after them. The handle it returns
 * stands for the running harness, so the file reads `harness.server` as it would the harness itself
 * (inside tests and hooks registered after this call).
 */
export function useInboxHarness(): InboxHarness {
  let current: InboxHarness | undefined;
  beforeAll(async () => {
    current = await startInboxHarness();
  }, 60_000);
  afterAll(async () => {
    await current?.close();
  });
  const running = () => {
    if (!current) throw new Error('the inbox harness runs only inside tests and hooks');
    return current;
  };
  return {
    get server() {
      return running().server;
    },
    get remote() {
      return running().remote;
    },
    get apply() {
      return running().apply;
    },
    get resolver() {
      return running().resolver;
    },
    get planner() {
      return running().planner;
    },
    deliverAndApply: (activity, applier) => running().deliverAndApply(activity, applier),
    sendRelationshipEvents: () => running().sendRelationshipEvents(),
    applierWith: (limits) => running().applierWith(limits),
    close: () => running().close(),
  };
}

/** The Creates of a note Mastodon sends (`fixtures/mastodon/<name>.json`). */
export type NoteFixtureName = 'create-note' | 'create-note-media' | 'create-question';

let nextNoteId = 1000;

/**
 * A Create of a new note by the harness's remote actor (mallory), as Mastodon sends it, mentioning
 * `mentioned`; each call is a note of its own. `values` fills the fixture's other placeholders.
 */
export function createNoteFixture(
  harness: InboxHarness,
  mentioned: TestUser,
  options: { fixture?: NoteFixtureName; values?: Values } = {},
): { activity: Record<string, unknown>; noteId: string; noteUri: string } {
  const noteId = String(nextNoteId++);
  const actor = harness.remote.actorId.href;
  const activity = mastodonFixture(options.fixture ?? 'create-note', {
    actor,
    noteId,
    origin: harness.remote.actorId.origin,
    host: harness.remote.actorId.host,
    alice: `${ORIGIN}/users/${mentioned.username}`,
    aliceUsername: mentioned.username,
    aliceProfile: `${ORIGIN}/@${mentioned.username}`,
    ...options.values,
  });
  return { activity, noteId, noteUri: `${actor}/statuses/${noteId}` };
}
