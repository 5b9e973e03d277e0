import { describe, expect, it } from 'vitest';
import {
  CONTRACTS,
  createEvent,
  decodeEvent,
  EVENT_TYPES,
  InvalidEventError,
  newEventId,
  parseEvent,
} from './contracts.js';
import {
  sampleEvent,
  sampleMediaUploaded,
  samplePostCreated,
  sampleUserMentioned,
} from './testing.js';

describe('the contracts table', () => {
  it('accepts a sample of every type and gives each type its own versioned subject', () => {
    for (const type of EVENT_TYPES) {
      const event = sampleEvent(type);
      expect(parseEvent(structuredClone(event))).toEqual(event);
      expect(CONTRACTS[type].subject).toMatch(/^[a-z_]+(\.[a-z_]+)*\.v1$/);
    }
    const subjects = EVENT_TYPES.map((type) => CONTRACTS[type].subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('createEvent validates before anything is written, and carries the request id', () => {
    const event = createEvent('AccountFollowed', { accountId: '1', targetAccountId: '2' }, 'req-9');
    expect(event).toMatchObject({ type: 'AccountFollowed', version: 1, requestId: 'req-9' });
    expect(() =>
      createEvent('AccountFollowed', { accountId: 'x', targetAccountId: '2' }, null),
    ).toThrow(/accountId/);
    expect(() =>
      createEvent('StatusFavourited', { statusId: '1', accountId: '2' } as never, null),
    ).toThrow(InvalidEventError);
  });
});

describe('parseEvent', () => {
  it('accepts a valid PostCreated', () => {
    const event = samplePostCreated({ mentionedAccountIds: ['42'], hashtags: ['nats'] });
    expect(parseEvent(structuredClone(event))).toEqual(event);
  });

  it('accepts a valid UserMentioned, with a request id', () => {
    const event = sampleUserMentioned({}, { requestId: 'req-1' });
    expect(parseEvent(structuredClone(event))).toEqual(event);
  });

  it('accepts a valid MediaUploaded, and refuses one without a media id', () => {
    const event = sampleMediaUploaded();
    expect(parseEvent(structuredClone(event))).toEqual(event);
    expect(() => parseEvent({ ...event, data: { accountId: event.data.accountId } })).toThrow(
      /invalid MediaUploaded event/,
    );
  });

  it('rejects an unknown type', () => {
    const event = { ...samplePostCreated(), type: 'PostDeleted' };
    expect(() => parseEvent(event)).toThrow(/unknown event type "PostDeleted"/);
  });

  it('rejects a missing type and a non-object', () => {
    const { type: _type, ...rest } = samplePostCreated();
    expect(() => parseEvent(rest)).toThrow(InvalidEventError);
    expect(() => parseEvent(null)).toThrow(/not an object/);
    expect(() => parseEvent('PostCreated')).toThrow(/not an object/);
  });

  it('rejects a version it does not know', () => {
    const event = { ...samplePostCreated(), version: 2 };
    expect(() => parseEvent(event)).toThrow(/invalid PostCreated event.*version/);
  });

  it('rejects an extra property in the envelope and in the data', () => {
    expect(() => parseEvent({ ...sampleUserMentioned(), extra: true })).toThrow(InvalidEventError);
    const event = samplePostCreated();
    expect(() => parseEvent({ ...event, data: { ...event.data, body: 'hi' } })).toThrow(
      InvalidEventError,
    );
  });

  it('rejects an id that is not a lowercase UUID', () => {
    expect(() => parseEvent({ ...samplePostCreated(), id: 'not-a-uuid' })).toThrow(/\/id/);
    const upper = samplePostCreated().id.toUpperCase();
    expect(() => parseEvent({ ...samplePostCreated(), id: upper })).toThrow(InvalidEventError);
  });

  it('rejects a snowflake id that is not numeric', () => {
    const event = sampleUserMentioned({ mentionedAccountId: 'abc' });
    expect(() => parseEvent(event)).toThrow(/mentionedAccountId/);
  });

  it('reports problems on the error', () => {
    try {
      parseEvent({ ...samplePostCreated(), version: 3 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as InvalidEventError).problems.length).toBeGreaterThan(0);
    }
  });
});

describe('decodeEvent', () => {
  it('decodes a UTF-8 JSON body', () => {
    const event = samplePostCreated({ hashtags: ['café'] });
    const bytes = new TextEncoder().encode(JSON.stringify(event));
    expect(decodeEvent(bytes)).toEqual(event);
    expect(decodeEvent(JSON.stringify(event))).toEqual(event);
  });

  it('rejects a body that is not JSON', () => {
    expect(() => decodeEvent(new TextEncoder().encode('{"type":'))).toThrow(/not valid JSON/);
    expect(() => decodeEvent(new Uint8Array([0xff, 0xfe]))).toThrow(InvalidEventError);
  });

  it('rejects an incomplete event', () => {
    expect(() => decodeEvent('{"type":"PostCreated"}')).toThrow(/invalid PostCreated event/);
  });
});

describe('profile events', () => {
  const envelope = (type: string, data: Record<string, unknown>) => ({
    id: newEventId(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId: null,
    data,
  });

  it('accepts each, with its data', () => {
    const events = [
      envelope('StatusPinned', { accountId: '1', statusId: '2' }),
      envelope('StatusUnpinned', { accountId: '1', statusId: '2' }),
      envelope('TagFeatured', { accountId: '1', tag: 'café' }),
      envelope('TagUnfeatured', { accountId: '1', tag: 'café' }),
      envelope('AccountEndorsed', { accountId: '1', targetAccountId: '3' }),
      envelope('AccountUnendorsed', { accountId: '1', targetAccountId: '3' }),
      envelope('FollowerRemoved', { accountId: '1', targetAccountId: '3' }),
    ];
    for (const event of events) expect(parseEvent(structuredClone(event))).toEqual(event);
    expect(events.every((e) => EVENT_TYPES.includes(e.type as (typeof EVENT_TYPES)[number]))).toBe(
      true,
    );
  });

  it('rejects wrong or extra data', () => {
    expect(() => parseEvent(envelope('StatusPinned', { accountId: '1' }))).toThrow(/statusId/);
    expect(() => parseEvent(envelope('TagFeatured', { accountId: '1', tag: '' }))).toThrow(
      InvalidEventError,
    );
    expect(() =>
      parseEvent(envelope('FollowerRemoved', { accountId: '1', targetAccountId: '3', note: 'x' })),
    ).toThrow(InvalidEventError);
  });
});
