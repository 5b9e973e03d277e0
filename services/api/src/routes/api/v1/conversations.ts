/**
 * Direct conversations: the viewer's conversations (newest message first, Link paging by that
 * message's id, as Mastodon), marking one read, removing one. Kept by the worker's conversations
 * consumer; `GET /api/v1/timelines/direct` is not served (Mastodon removed it in 3.0).
 */
import {
  conversationsOf,
  findConversation,
  markConversationRead,
  removeConversation,
  type ConversationView,
} from '@murmur/db/conversations';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { serializeAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { EmptyObject, IdParams, PageQuery } from '../../../schemas/atoms.js';
import { Account, Status } from '../../../schemas/entities.js';
import { ERRORS, pageOf, sendJsonText, setLinkHeader, userOf } from '../_shared.js';

const tags = ['conversations'];

const Conversation = Type.Object(
  {
    id: Type.String(),
    unread: Type.Boolean(),
    accounts: Type.Array(Account),
    last_status: Type.Union([Status, Type.Null()]),
  },
  { description: 'Conversation' },
);

/** The Conversation entity as JSON text (its status written by the shared status writer). */
function conversationJson(request: FastifyRequest, view: ConversationView): string {
  const origin = request.server.config.publicOrigin;
  const lastStatus = view.lastStatus
    ? request.server.statusJson.status(view.lastStatus, userOf(request))
    : 'null';
  return `{"id":${JSON.stringify(view.id)},"unread":${view.unread},"accounts":${JSON.stringify(
    view.accounts.map((a) => serializeAccount(a, origin)),
  )},"last_status":${lastStatus}}`;
}

export default async function conversationRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/conversations',
    {
      config: { auth: 'user', scopes: ['read:statuses'] },
      schema: {
        tags,
        summary: 'Your direct conversations, the newest message first',
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Array(Conversation), ...ERRORS },
      },
    },
    async (request, reply) => {
      // The worker writes them: read on the primary, so a message just received is there.
      const page = await conversationsOf(
        database.primary,
        userOf(request),
        pageOf(request.query, 20, 40),
      );
      setLinkHeader(request, reply, { first: page.firstCursor, last: page.lastCursor });
      return sendJsonText(
        reply,
        `[${page.conversations.map((c) => conversationJson(request, c)).join(',')}]`,
      );
    },
  );

  app.post(
    '/api/v1/conversations/:id/read',
    {
      config: { auth: 'user', scopes: ['write:conversations'] },
      schema: {
        tags,
        summary: 'Mark a conversation read',
        params: IdParams,
        response: { 200: Conversation, ...ERRORS },
      },
    },
    async (request, reply) => {
      const accountId = userOf(request);
      await markConversationRead(database, { accountId, conversationId: request.params.id });
      const view = await findConversation(database.primary, accountId, request.params.id);
      return sendJsonText(reply, conversationJson(request, view));
    },
  );

  app.delete(
    '/api/v1/conversations/:id',
    {
      config: { auth: 'user', scopes: ['write:conversations'] },
      schema: {
        tags,
        summary: 'Remove a conversation from your list (a new message brings it back)',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await removeConversation(database, {
        accountId: userOf(request),
        conversationId: request.params.id,
      });
      return {};
    },
  );
}
