import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('unsubscribe tokens', () => {
  it('has the documented shape, so the worker and the website agree', () => {
    const mac = createHmac('sha256', SECRET).update('unsubscribe:123456789').digest('base64url');
    expect(createUnsubscribeToken(SECRET, '123456789')).toBe(
      `${Buffer.from('123456789').toString('base64url')}.${mac}`,
    );
  });

  it('round-trips the account id', () => {
    expect(verifyUnsubscribeToken(SECRET, createUnsubscribeToken(SECRET, '7306104021811200'))).toBe(
      '7306104021811200',
    );
  });

  it('refuses another secret, another account, and garbage', () => {
    const token = createUnsubscribeToken(SECRET, '42');
    expect(verifyUnsubscribeToken(`${SECRET}x`, token)).toBeNull();
    const [, mac] = token.split('.');
    expect(
      verifyUnsubscribeToken(SECRET, `${Buffer.from('43').toString('base64url')}.${mac}`),
    ).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, '')).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, 'abc')).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, `${token}x`)).toBeNull();
    const notNumeric = createUnsubscribeToken(SECRET, 'admin');
    expect(verifyUnsubscribeToken(SECRET, notNumeric)).toBeNull();
  });
});
