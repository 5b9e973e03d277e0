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
import { outboxEvents } from '@murmur/db/testing';
import { expect } from 'vitest';
import { ORIGIN, startServer, type TestServer } from './_mastodon.js';
import { deliver, startRemoteActor, type RemoteActor } from './_remote-actor.js';

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
    async deliverAndApply(activity, applier = apply) {
      const body = JSON.stringify(activity);
      expect(await deliver(server, body, remote.privateKey, remote.keyId)).toBe(202);
      const recorded = (await outboxEvents(server.database, ['RemoteActivityReceived'])).find(
        (event) => event.data.activityId === activity.id,
      );
      expect(recorded).toBeDefined();
      await applier(recorded!.data);
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
