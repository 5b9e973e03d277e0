/**
 * Editing statuses, polls and scheduled statuses, through the API as clients call it. Every body is
 * checked against Mastodon's own description.
 */
import { type Database } from '@murmur/db';
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { checkedCaller, json, type TestUser, useServer } from './_mastodon.js';
import { expectMastodonResponse } from './_openapi.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;
let bob: TestUser;

useServer((server) => ({ app, database, alice, bob } = server), {
  INSTANCE_CONTACT_EMAIL: 'admin@murmur.test',
});

const call = checkedCaller(() => app);

describe('editing a status', () => {
  it('edits text and content warning, shows edited_at, the history (original first) and the source', async () => {
    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'First #draft', visibility: 'public' },
    });
    expect(posted.edited_at).toBeNull();
    // Read once, so that the per-process cache holds the unedited text.
    expect((await call('GET', `/api/v1/statuses/${posted.id}`, bob)).content).toContain('First');

    const edited = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: { status: `Second, for @${bob.username}`, spoiler_text: 'careful' },
    });
    expect(edited).toMatchObject({
      id: posted.id,
      spoiler_text: 'careful',
      sensitive: true,
      tags: [],
      mentions: [{ id: bob.id }],
      created_at: posted.created_at,
    });
    expect(edited.edited_at).toEqual(expect.any(String));
    const seen = await call('GET', `/api/v1/statuses/${posted.id}`, bob);
    expect(seen.content).toContain('Second');
    expect(seen.edited_at).toBe(edited.edited_at);

    const history = await call('GET', `/api/v1/statuses/${posted.id}/history`, bob);
    expect(history.map((h: { spoiler_text: string }) => h.spoiler_text)).toEqual(['', 'careful']);
    expect(history[0].content).toContain('First');
    expect(history[0].created_at).toBe(posted.created_at);
    expect(history[1].created_at).toBe(edited.edited_at);

    expect(await call('GET', `/api/v1/statuses/${posted.id}/source`, alice)).toEqual({
      id: posted.id,
      text: `Second, for @${bob.username}`,
      spoiler_text: 'careful',
    });

    await deliverNotifications(database);
    const mentions = await call('GET', '/api/v1/notifications?types[]=mention', bob);
    expect(mentions.map((n: { status: { id: string } }) => n.status.id)).toContain(posted.id);
  });

  it('answers the history of a status never edited with the status itself', async () => {
    const posted = await call('POST', '/api/v1/statuses', alice, { payload: { status: 'once' } });
    const history = await call('GET', `/api/v1/statuses/${posted.id}/history`, null);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ content: '<p>once</p>', created_at: posted.created_at });
  });

  it("refuses someone else's status, blank or too long text, changed attachments and a bad poll", async () => {
    const posted = await call('POST', '/api/v1/statuses', alice, { payload: { status: 'mine' } });
    const url = `/api/v1/statuses/${posted.id}`;
    await call('PUT', url, bob, { status: 404, payload: { status: 'hijack' } });
    await call('PUT', url, alice, { status: 422, payload: { status: ' ' } });
    await call('PUT', url, alice, { status: 422, payload: { status: 'x'.repeat(501) } });
    await call('PUT', url, alice, { status: 422, payload: { status: 'a', media_ids: ['1'] } });
    await call('PUT', url, alice, {
      status: 422,
      payload: { status: 'a', poll: { options: ['only one'], expires_in: 600 } },
    });
    await call('PUT', url, null, { status: 401, payload: { status: 'anonymous' } });
    expect(await call('GET', url, alice)).toMatchObject({
      content: '<p>mine</p>',
      edited_at: null,
    });
  });
});

describe('polls', () => {
  it('advertises its limits, posts a poll, votes once, shows own votes and hides totals until the end', async () => {
    const instance = await call('GET', '/api/v2/instance', null);
    expect(instance.configuration.polls).toEqual({
      max_options: 4,
      max_characters_per_option: 50,
      min_expiration: 300,
      max_expiration: 2_629_746,
    });

    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: {
        status: 'Tea or coffee?',
        poll: { options: ['tea', 'coffee'], expires_in: 600, hide_totals: true },
      },
    });
    expect(posted.poll).toMatchObject({
      expired: false,
      multiple: false,
      votes_count: 0,
      voted: true, // the author, as in Mastodon
      own_votes: [],
      options: [
        { title: 'tea', votes_count: 0 },
        { title: 'coffee', votes_count: 0 },
      ],
    });
    const pollId = posted.poll.id as string;

    const voted = await call('POST', `/api/v1/polls/${pollId}/votes`, bob, {
      payload: { choices: ['1'] },
    });
    expect(voted).toMatchObject({
      votes_count: 1,
      voted: true,
      own_votes: [1],
      options: [{ votes_count: null }, { votes_count: null }],
    });
    await call('POST', `/api/v1/polls/${pollId}/votes`, bob, {
      status: 422,
      payload: { choices: [0] },
    });
    await call('POST', `/api/v1/polls/${pollId}/votes`, alice, {
      status: 422,
      payload: { choices: [0] },
    });
    const anonymous = await call('GET', `/api/v1/polls/${pollId}`, null);
    expect('voted' in anonymous).toBe(false);
    expect((await call('GET', `/api/v1/statuses/${posted.id}`, bob)).poll).toMatchObject({
      own_votes: [1],
    });
    await call('GET', '/api/v1/polls/123', bob, { status: 404 });
  });

  it('keeps the votes when the app sends the same poll back with an edit, and starts over with other options', async () => {
    const poll = { options: ['north', 'south'], expires_in: 600, multiple: false };
    const posted = await call('POST', '/api/v1/statuses', alice, {
      payload: { status: 'Which way?', poll },
    });
    await call('POST', `/api/v1/polls/${posted.poll.id}/votes`, bob, { payload: { choices: [1] } });
    const edited = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: { status: 'Which way now?', poll },
    });
    expect(edited.poll).toMatchObject({ id: posted.poll.id, votes_count: 1 });

    const replaced = await call('PUT', `/api/v1/statuses/${posted.id}`, alice, {
      payload: { status: 'Which way now?', poll: { ...poll, options: ['east', 'west', 'up'] } },
    });
    expect(replaced.poll).toMatchObject({
      votes_count: 0,
      options: [{ title: 'east' }, { title: 'west' }, { title: 'up' }],
    });
    const seenByVoter = await call('GET', `/api/v1/polls/${replaced.poll.id}`, bob);
    expect(seenByVoter).toMatchObject({ voted: false, own_votes: [] });
    const history = await call('GET', `/api/v1/statuses/${posted.id}/history`, alice);
    expect(
      history.map((h: { poll: { options: { title: string }[] } }) => h.poll.options.length),
    ).toEqual([2, 2, 3]);
  });

  it('takes a poll as a form, and refuses a poll outside the limits with a 422', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: { ...alice.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload:
        'status=Pick&poll[options][]=red&poll[options][]=green&poll[options][]=blue' +
        '&poll[expires_in]=3600&poll[multiple]=true',
    });
    const posted = json(response);
    expectMastodonResponse(response);
    expect(posted.poll).toMatchObject({ multiple: true, options: [{}, {}, {}] });
    const votes = await call('POST', `/api/v1/polls/${posted.poll.id}/votes`, bob, {
      payload: { choices: [0, 2] },
    });
    expect(votes).toMatchObject({ votes_count: 2, voters_count: 1, own_votes: [0, 2] });

    for (const poll of [
      { options: ['only'], expires_in: 600 },
      { options: ['a', 'b', 'c', 'd', 'e'], expires_in: 600 },
      { options: ['a', 'b'], expires_in: 60 },
      { options: ['a', 'x'.repeat(51)], expires_in: 600 },
    ]) {
      await call('POST', '/api/v1/statuses', alice, {
        status: 422,
        payload: { status: 'bad poll', poll },
      });
    }
  });
});

describe('scheduled statuses', () => {
  it('schedules instead of posting, lists, reads, moves and cancels, and refuses less than 5 minutes ahead', async () => {
    const at = new Date(Date.now() + 60 * 60 * 1000);
    const scheduled = await call('POST', '/api/v1/statuses', alice, {
      payload: {
        status: 'Posted later',
        visibility: 'unlisted',
        scheduled_at: at.toISOString(),
        poll: { options: ['a', 'b'], expires_in: 900 },
      },
    });
    expect(scheduled).toMatchObject({
      scheduled_at: at.toISOString(),
      params: {
        text: 'Posted later',
        visibility: 'unlisted',
        poll: { options: ['a', 'b'], expires_in: 900 },
      },
      media_attachments: [],
    });
    expect(await call('GET', `/api/v1/accounts/${alice.id}/statuses`, alice)).not.toContainEqual(
      expect.objectContaining({ content: '<p>Posted later</p>' }),
    );
    const listed = await call('GET', '/api/v1/scheduled_statuses', alice);
    expect(listed.map((s: { id: string }) => s.id)).toEqual([scheduled.id]);
    expect(await call('GET', '/api/v1/scheduled_statuses', bob)).toEqual([]);
    await call('GET', `/api/v1/scheduled_statuses/${scheduled.id}`, bob, { status: 404 });

    const later = new Date(at.getTime() + 60 * 60 * 1000).toISOString();
    const moved = await call('PUT', `/api/v1/scheduled_statuses/${scheduled.id}`, alice, {
      payload: { scheduled_at: later },
    });
    expect(moved.scheduled_at).toBe(later);
    await call('PUT', `/api/v1/scheduled_statuses/${scheduled.id}`, alice, {
      status: 422,
      payload: { scheduled_at: new Date(Date.now() + 60_000).toISOString() },
    });
    await call('PUT', `/api/v1/scheduled_statuses/${scheduled.id}`, alice, {
      status: 422,
      payload: { scheduled_at: 'tomorrow-ish' },
    });
    await call('POST', '/api/v1/statuses', alice, {
      status: 422,
      payload: { status: 'too soon', scheduled_at: new Date(Date.now() + 60_000).toISOString() },
    });

    expect(await call('DELETE', `/api/v1/scheduled_statuses/${scheduled.id}`, alice)).toEqual({});
    await call('GET', `/api/v1/scheduled_statuses/${scheduled.id}`, alice, { status: 404 });
  });
});
