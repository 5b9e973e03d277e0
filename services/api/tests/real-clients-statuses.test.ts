/**
 * Editing, polls and scheduled statuses as masto.js (Elk, Phanpy) calls them, unmodified, over
 * HTTP.
 */
import { type mastodon } from 'masto';
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js', () => {
  it('edits a status and reads its history and source', async () => {
    const { client } = await person('masto_editor');
    const posted = await client.v1.statuses.create({ status: 'frist post' });
    const edited = await client.v1.statuses.$select(posted.id).update({
      status: 'first post',
      spoilerText: 'typo fixed',
    });
    expect(edited).toMatchObject({ id: posted.id, spoilerText: 'typo fixed', sensitive: true });
    expect(edited.editedAt).toEqual(expect.any(String));
    const history = await client.v1.statuses.$select(posted.id).history.list();
    expect(history.map((h) => h.content)).toEqual(['<p>frist post</p>', '<p>first post</p>']);
    const source = await client.v1.statuses.$select(posted.id).source.fetch();
    expect(source).toEqual({ id: posted.id, text: 'first post', spoilerText: 'typo fixed' });
  });

  it('votes in a poll once and reads it back', async () => {
    const author = await person('masto_pollster');
    const voter = await person('masto_voter');
    const posted = await author.client.v1.statuses.create({
      status: 'Cats or dogs?',
      poll: { options: ['cats', 'dogs', 'both'], expiresIn: 3600, multiple: true },
    });
    const pollId = posted.poll!.id;
    const voted = await voter.client.v1.polls.$select(pollId).votes.create({ choices: [0, 2] });
    expect(voted).toMatchObject({ voted: true, ownVotes: [0, 2], votesCount: 2, votersCount: 1 });
    await expect(
      voter.client.v1.polls.$select(pollId).votes.create({ choices: [1] }),
    ).rejects.toMatchObject({ statusCode: 422 });
    const fetched = await author.client.v1.polls.$select(pollId).fetch();
    expect(fetched.options.map((o) => o.votesCount)).toEqual([1, 0, 1]);
  });

  it('schedules a status, lists it, moves it and cancels it', async () => {
    const { client } = await person('masto_planner');
    const at = new Date(Date.now() + 2 * 60 * 60 * 1000);
    const scheduled = (await client.v1.statuses.create({
      status: 'see you tomorrow',
      scheduledAt: at.toISOString(),
    })) as unknown as mastodon.v1.ScheduledStatus;
    expect(scheduled.params.text).toBe('see you tomorrow');
    expect(new Date(scheduled.scheduledAt).getTime()).toBe(at.getTime());
    const listed = await client.v1.scheduledStatuses.list();
    expect(listed.map((s) => s.id)).toEqual([scheduled.id]);
    const later = new Date(at.getTime() + 60 * 60 * 1000).toISOString();
    const moved = await client.v1.scheduledStatuses.$select(scheduled.id).update({
      scheduledAt: later,
    });
    expect(moved.scheduledAt).toBe(later);
    await client.v1.scheduledStatuses.$select(scheduled.id).remove();
    expect(await client.v1.scheduledStatuses.list()).toEqual([]);
  });
});
