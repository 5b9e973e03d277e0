/**
 * One-click unsubscribe tokens for mention e-mails (RFC 8058). The worker puts the token in the
 * e-mail's `List-Unsubscribe` link and the website accepts it, both with UNSUBSCRIBE_SECRET:
 * base64url(accountId) + '.' + base64url(HMAC-SHA256(secret, 'unsubscribe:' + accountId)).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function signature(secret: string, accountId: string): Buffer {
  return createHmac('sha256', secret).update(`unsubscribe:${accountId}`, 'utf8').digest();
}

export function createUnsubscribeToken(secret: string, accountId: string): string {
  return `${Buffer.from(accountId, 'utf8').toString('base64url')}.${signature(secret, accountId).toString('base64url')}`;
}

/** The account id the token was made for, or null when it is malformed or not signed with `secret`. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const match = /^([A-Za-z0-9_-]{1,40})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const accountId = Buffer.from(match[1]!, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(accountId)) return null;
  const presented = Buffer.from(match[2]!, 'base64url');
  const expected = signature(secret, accountId);
  return presented.length === expected.length && timingSafeEqual(presented, expected)
    ? accountId
    : null;
}
