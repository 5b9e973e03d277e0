/**
 * Polls over federation, as Mastodon 4.x sends them: a `Create` of a `Question` is a remote status
 * with its poll (options, counts, end), an `Update` of the question brings the counts its server
 * reports (and is no edit), and a remote vote in a local poll (a `Create` of a `Note` whose `name`
 * is the option, replying to the poll; one per choice) counts as a vote, not as a reply. Read as clients read them:
 * validated against Mastodon's OpenAPI description, and through masto.js.
 */
import { deliverNotifications, outboxEvents } from '@murmur/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { mastodonFixture } from './_fixtures.js';
import { createNoteFixture, useInboxHarness } from './_inbox.js';
import { ORIGIN, signedInUser, type TestUser } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

const harness = useInboxHarness();
let alice: TestUser;
let actor: string;

beforeAll(async () => {
  alice = await signedInUser(harness.server.database);
  actor = harness.remote.actorId.href;
});

interface PollJson {
  id: string;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  options: { title: string; votes_count: number | null }[];
}

function inject(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  return harness.server.app.inject({ method, url, headers: alice.headers, payload });
}

async function statusJson(id: string) {
  const response = await inject('GET', `/api/v1/statuses/${id}`);
  expect(response.statusCode).toBe(200);
  expectMastodonResponse(response);
  return response.json() as { poll: PollJson | null; replies_count: number };
}

describe("a remote status's poll", () => {
  const endTime = new Date(Date.now() + 24 * 3600_000).toISOString();
  let create: Record<string, unknown>;
  let questionUri: string;
  let statusId: string;

  beforeAll(async () => {
    ({ activity: create, noteUri: questionUri } = createNoteFixture(harness, alice, {
      fixture: 'create-question',
      values: { endTime },
    }));
    await harness.deliverAndApply(create);
    await deliverNotifications(harness.server.database);
    const notifications = await inject('GET', '/api/v1/notifications?types[]=mention');
    statusId = (notifications.json() as { status: { id: string; uri: string } }[]).find(
      (n) => n.status.uri === questionUri,
    )!.status.id;
  });

  it('arrives with the options and counts its server reports', async () => {
    const { poll } = await statusJson(statusId);
    expect(poll).toMatchObject({
      expired: false,
      multiple: false,
      votes_count: 7,
      voters_count: 7,
      expires_at: endTime,
      options: [
        { title: 'Heron', votes_count: 4 },
        { title: 'Egret', votes_count: 3 },
      ],
    });
  });

  it('takes the counts of an Update of the question, which is not an edit', async () => {
    const update = structuredClone(create);
    update.id = `${questionUri}#updates/1`;
    update.type = 'Update';
    const question = update.object as Record<string, unknown>;
    question.votersCount = 10;
    question.oneOf = [
      { type: 'Note', name: 'Heron', replies: { type: 'Collection', totalItems: 6 } },
      { type: 'Note', name: 'Egret', replies: { type: 'Collection', totalItems: 4 } },
    ];
    question.updated = new Date().toISOString();
    await harness.deliverAndApply(update);
    const { poll } = await statusJson(statusId);
    expect(poll).toMatchObject({
      votes_count: 10,
      voters_count: 10,
      options: [{ votes_count: 6 }, { votes_count: 4 }],
    });
    const history = await inject('GET', `/api/v1/statuses/${statusId}/history`);
    expect(history.json()).toHaveLength(1);
  });

  it('reads through masto.js', async () => {
    const { createRestAPIClient } = await import('masto');
    const address = await harness.server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = createRestAPIClient({ url: address, accessToken: alice.token });
    const status = await client.v1.statuses.$select(statusId).fetch();
    expect(status.poll?.options.map((o) => [o.title, o.votesCount])).toEqual([
      ['Heron', 6],
      ['Egret', 4],
    ]);
  });

  it("sends a local vote to the poll's author, as Mastodon sends one", async () => {
    const { poll } = await statusJson(statusId);
    const response = await inject('POST', `/api/v1/polls/${poll!.id}/votes`, { choices: ['1'] });
    expect(response.statusCode).toBe(200);
    expectMastodonResponse(response);
    expect(response.json()).toMatchObject({ voted: true, own_votes: [1] });
    const [voted] = (await outboxEvents(harness.server.database, ['PollVoted'])).filter(
      (event) => event.data.pollId === poll!.id,
    );
    const plan = await harness.planner(voted!);
    const voter = `${ORIGIN}/users/${alice.username}`;
    expect(plan).toMatchObject({
      senderAccountId: alice.id,
      inboxes: [`${actor}/inbox`],
      activities: [
        {
          type: 'Create',
          actor: voter,
          to: actor,
          object: { type: 'Note', name: 'Egret', inReplyTo: questionUri, to: actor },
        },
      ],
    });
    expect((plan!.activities[0]!.object as Record<string, unknown>).content).toBeUndefined();
  });
});

describe('a remote vote in a local poll', () => {
  let statusId: string;
  let statusUri: string;
  let votes = 0;

  async function localPoll(poll: Record<string, unknown>) {
    const response = await inject('POST', '/api/v1/statuses', { status: 'Which?', poll });
    expect(response.statusCode).toBe(200);
    return response.json() as { id: string; uri: string };
  }

  beforeAll(async () => {
    ({ id: statusId, uri: statusUri } = await localPoll({
      options: ['Tea', 'Coffee'],
      expires_in: 3600,
    }));
  });

  function vote(choice: string, question = statusUri) {
    return mastodonFixture('create-vote', {
      actor,
      voteId: String(++votes),
      choice,
      question,
      pollAuthor: `${ORIGIN}/users/${alice.username}`,
    });
  }

  it('counts each of several choices (one note each) in a poll allowing several, once', async () => {
    const several = await localPoll({
      options: ['Tea', 'Coffee', 'Water'],
      expires_in: 3600,
      multiple: true,
    });
    const tea = vote('Tea', several.uri);
    await harness.deliverAndApply(tea);
    await harness.deliverAndApply(vote('Water', several.uri));
    // Delivered again, and the same choice in a note of its own: neither counts twice.
    await harness.deliverAndApply(tea);
    await harness.deliverAndApply(vote('Tea', several.uri));
    const status = await statusJson(several.id);
    expect(status.replies_count).toBe(0);
    expect(status.poll).toMatchObject({
      multiple: true,
      votes_count: 2,
      voters_count: 1,
      options: [
        { title: 'Tea', votes_count: 1 },
        { title: 'Coffee', votes_count: 0 },
        { title: 'Water', votes_count: 1 },
      ],
    });
  });

  it('counts as a vote, never as a reply, and only once', async () => {
    await harness.deliverAndApply(vote('Coffee'));
    await harness.deliverAndApply(vote('Tea'));
    await harness.deliverAndApply(vote('Neither'));
    const status = await statusJson(statusId);
    expect(status.replies_count).toBe(0);
    expect(status.poll).toMatchObject({
      votes_count: 1,
      voters_count: 1,
      options: [
        { title: 'Tea', votes_count: 0 },
        { title: 'Coffee', votes_count: 1 },
      ],
    });
    const context = await inject('GET', `/api/v1/statuses/${statusId}/context`);
    expect((context.json() as { descendants: unknown[] }).descendants).toHaveLength(0);
  });
});
