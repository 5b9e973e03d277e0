import { describe, expect, it } from 'vitest';
import { composeMentionEmail } from './mention-email.js';

const settings = {
  publicUrl: 'https://murmur.test',
  mailFrom: 'Murmur <noreply@murmur.test>',
  unsubscribeSecret: 'x'.repeat(32),
};

const recipient = {
  id: '2',
  username: 'alice',
  displayName: 'Alice',
  email: 'alice@example.com',
  emailOnMention: true,
};

function mail(
  author: { username: string; displayName: string; domain: string | null },
  url: string | null,
) {
  return composeMentionEmail(
    {
      statusId: '10',
      statusText: 'hello @alice',
      statusCreatedAt: new Date('2026-12-01T10:00:00Z'),
      author: { id: '1', ...author },
      remoteStatusUrl: url,
      recipient,
    },
    { messageId: '<m@murmur.test>' },
    settings,
  );
}

describe('the mention e-mail', () => {
  it('links a local post to its page here', () => {
    const { text } = mail({ username: 'bob', displayName: 'Bob', domain: null }, null);
    expect(text).toContain('Bob (@bob) mentioned you');
    expect(text).toContain('View the post: https://murmur.test/@bob/10');
  });

  it('names a remote author user@host and links the post on its own server', () => {
    const { text, subject } = mail(
      { username: 'mallory', displayName: '', domain: 'remote.example' },
      'https://remote.example/@mallory/99',
    );
    expect(subject).toContain('@mallory@remote.example mentioned you');
    expect(text).toContain('View the post: https://remote.example/@mallory/99');
  });
});
