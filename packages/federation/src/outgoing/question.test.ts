import { Note, Question } from '@fedify/vocab';
import type { OutgoingStatus } from '@murmur/db/federation';
import type { PollView } from '@murmur/db/statuses';
import { describe, expect, it } from 'vitest';
import { createActivity } from './activities.js';
import { statusObjectOf } from './question.js';

const ORIGIN = 'https://murmur.test';
const inAnHour = new Date(Date.now() + 3600_000);

function withPoll(poll: Partial<PollView> | null): OutgoingStatus {
  return {
    status: {
      id: '42',
      account: { id: '1', username: 'alice' },
      text: 'Tea or coffee?',
      spoilerText: '',
      sensitive: false,
      visibility: 'public',
      createdAt: new Date('2026-01-02T03:04:05Z'),
      editedAt: null,
      tags: [],
      mediaAttachments: [],
      poll: poll && {
        id: '7',
        options: ['Tea', 'Coffee'],
        optionVotes: [2, 5],
        multiple: false,
        hideTotals: false,
        votesCount: 7,
        votersCount: 7,
        expiresAt: inAnHour,
        authorId: '1',
        ownVotes: null,
        ...poll,
      },
    } as unknown as OutgoingStatus['status'],
    mentions: [],
    parent: null,
  };
}

/** The object as Mastodon receives it: compact JSON-LD inside the Create. */
async function sent(outgoing: OutgoingStatus) {
  const json = (await createActivity(statusObjectOf(ORIGIN, outgoing)).toJsonLd({
    format: 'compact',
  })) as { object: Record<string, unknown> };
  return json.object;
}

describe('a local status with a poll, as Mastodon expects it', () => {
  it('is a Question: options as oneOf with their votes, endTime, votersCount', async () => {
    const object = await sent(withPoll({}));
    expect(object).toMatchObject({
      type: 'Question',
      id: `${ORIGIN}/users/alice/statuses/42`,
      votersCount: 7,
      oneOf: [
        { type: 'Note', name: 'Tea', replies: { type: 'Collection', totalItems: 2 } },
        { type: 'Note', name: 'Coffee', replies: { type: 'Collection', totalItems: 5 } },
      ],
    });
    expect(Date.parse(object.endTime as string)).toBe(inAnHour.getTime());
    expect(object.content).toContain('Tea or coffee?');
    expect(object.anyOf).toBeUndefined();
    expect(object.closed).toBeUndefined();
  });

  it('several choices are anyOf; hidden totals are zero until the end; an ended poll is closed', async () => {
    const multiple = await sent(withPoll({ multiple: true, hideTotals: true }));
    expect(multiple.oneOf).toBeUndefined();
    expect(multiple).toMatchObject({
      votersCount: 0,
      anyOf: [{ replies: { totalItems: 0 } }, { replies: { totalItems: 0 } }],
    });
    const ended = await sent(withPoll({ expiresAt: new Date('2026-01-02T04:04:05Z') }));
    expect(ended).toMatchObject({ closed: '2026-01-02T04:04:05Z', votersCount: 7 });
  });

  it('a status without a poll stays a Note', () => {
    expect(statusObjectOf(ORIGIN, withPoll(null))).toBeInstanceOf(Note);
    expect(statusObjectOf(ORIGIN, withPoll({}))).toBeInstanceOf(Question);
  });
});
