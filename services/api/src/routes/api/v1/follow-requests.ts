/**
 * Follow requests to the signed-in (locked) account: the pending ones (paged by request, with a
 * `Link` header), authorize (the request becomes a follow) and reject. Both answer the
 * Relationship with the requester, as Mastodon does.
 */
import { type Database } from '@murmur/db';
import {
  authorizeFollowRequest,
  followRequestsOf,
  rejectFollowRequest,
  type FollowRequestInput,
} from '@murmur/db/follows';
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams, PageQuery } from '../../../schemas/atoms.js';
import { Account, Relationship } from '../../../schemas/entities.js';
import { ERRORS, pageOf, relationshipWith, sendAccountPage, userOf } from '../_shared.js';

const tags = ['follow_requests'];

export default async function followRequestRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/follow_requests',
    {
      config: { auth: 'user', scopes: ['read:follows'] },
      schema: {
        tags,
        summary: 'Accounts asking to follow you, newest request first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Account), ...ERRORS },
      },
    },
    async (request, reply) => {
      const page = await followRequestsOf(
        database.replica,
        userOf(request),
        pageOf(request.query, 40, 80),
      );
      return sendAccountPage(request, reply, page);
    },
  );

  for (const [path, answer, summary] of [
    ['authorize', authorizeFollowRequest, 'Accept a follow request: the account follows you'],
    ['reject', rejectFollowRequest, 'Reject a follow request'],
  ] as const satisfies readonly [
    string,
    (database: Database, input: FollowRequestInput) => Promise<void>,
    string,
  ][]) {
    app.post(
      `/api/v1/follow_requests/:id/${path}`,
      {
        config: { auth: 'user', scopes: ['write:follows'] },
        schema: {
          tags,
          summary,
          description: '`id` is the requesting account. 404 when it has no pending request.',
          params: IdParams,
          response: { 200: Relationship, ...ERRORS },
        },
      },
      async (request) => {
        const accountId = userOf(request);
        await answer(database, {
          accountId: request.params.id,
          targetAccountId: accountId,
          requestId: request.id,
        });
        return relationshipWith(database.primary, accountId, request.params.id);
      },
    );
  }
}
