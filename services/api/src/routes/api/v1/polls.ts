/** Polls: read one, vote in one. */
import { DomainError } from '@murmur/db';
import { findVisiblePoll, voteInPoll } from '@murmur/db/statuses';
import Type from 'typebox';
import { serializePoll } from '../../../entities/poll.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams } from '../../../schemas/atoms.js';
import { Poll } from '../../../schemas/entities.js';
import { ERRORS, userOf, viewerOf } from '../_shared.js';

const tags = ['polls'];

const VoteBody = Type.Object({
  choices: Type.Union([
    Type.Union([Type.Integer(), Type.String({ maxLength: 16 })]),
    Type.Array(Type.Union([Type.Integer(), Type.String({ maxLength: 16 })]), { maxItems: 20 }),
  ]),
});

export default async function pollRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/polls/:id',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: { tags, summary: 'A poll', params: IdParams, response: { 200: Poll, ...ERRORS } },
    },
    async (request) => {
      const viewerId = viewerOf(request);
      const poll = await findVisiblePoll(database.replica, request.params.id, viewerId);
      if (!poll) throw new DomainError('StatusNotFound', 'Record not found');
      return serializePoll(poll, viewerId);
    },
  );

  app.post(
    '/api/v1/polls/:id/votes',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags,
        summary: 'Vote in a poll',
        description:
          '`choices[]`: indexes of the options. Once per account, one choice unless the poll allows several, not after it ended, not in your own poll.',
        params: IdParams,
        body: VoteBody,
        response: { 200: Poll, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const given = request.body.choices;
      // Anything but a small non-negative integer is an option that does not exist (422).
      const choices = (Array.isArray(given) ? given : [given])
        .map(String)
        .map((c) => (/^\d{1,3}$/.test(c) ? Number(c) : -1));
      const poll = await voteInPoll(database, {
        accountId,
        pollId: request.params.id,
        choices,
        requestId: request.id,
      });
      return serializePoll(poll, accountId);
    },
  );
}
