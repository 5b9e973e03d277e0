import { describe, expect, it } from 'vitest';
import { pushPayload } from './payload.js';

const context = { publicUrl: 'https://murmur.example', accessToken: 'tok', preferredLocale: 'en' };

describe('pushPayload', () => {
  it('writes Mastodon’s fields, with the 64-bit id exact', () => {
    const text = pushPayload(
      {
        id: '114567890123456789',
        type: 'mention',
        from: { username: 'alice', displayName: '', avatarKey: 'avatars/a.webp', note: '' },
        status: { text: `@bob ${'x'.repeat(300)}`, spoilerText: '' },
      },
      context,
    );
    expect(text.startsWith('{"notification_id":114567890123456789,')).toBe(true);
    const payload = JSON.parse(text);
    expect(payload).toMatchObject({
      access_token: 'tok',
      preferred_locale: 'en',
      notification_type: 'mention',
      title: 'You were mentioned by alice',
      icon: 'https://murmur.example/media/avatars/a.webp',
    });
    expect([...payload.body].length).toBeLessThanOrEqual(140);
  });

  it('shows the content warning instead of the text, and the display name', () => {
    const payload = JSON.parse(
      pushPayload(
        {
          id: '1',
          type: 'favourite',
          from: { username: 'alice', displayName: 'Alice', avatarKey: null, note: 'bio' },
          status: { text: 'spoiler inside', spoilerText: 'Film ending' },
        },
        context,
      ),
    );
    expect(payload).toMatchObject({ title: 'Alice favorited your post', body: 'Film ending' });
    expect(payload.icon).toBe('https://murmur.example/avatars/original/missing.png');
  });

  it('shows the sender’s bio for a follow', () => {
    const payload = JSON.parse(
      pushPayload(
        {
          id: '2',
          type: 'follow',
          from: { username: 'alice', displayName: '', avatarKey: null, note: 'I knit.' },
          status: null,
        },
        context,
      ),
    );
    expect(payload).toMatchObject({ title: 'alice is now following you', body: 'I knit.' });
  });
});
