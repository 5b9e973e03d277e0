/**
 * What a Web Push subscription may hold, checked before it is stored: an http(s) endpoint, the user
 * agent's P-256 public key and 16-byte auth secret (RFC 8291), Mastodon's alert names and policies.
 * Whether the endpoint may be reached is decided when pushing (`@murmur/outbound`), on the address
 * it resolves to then.
 */
import { DomainError } from '../../errors.js';
import type { WebPushPolicy } from '../../schema/index.js';

/** Mastodon's alert names (`data.alerts.*`), in its order. */
export const WEB_PUSH_ALERTS = [
  'mention',
  'status',
  'reblog',
  'follow',
  'follow_request',
  'favourite',
  'poll',
  'update',
  'admin.sign_up',
  'admin.report',
] as const;
export type WebPushAlert = (typeof WEB_PUSH_ALERTS)[number];

export const WEB_PUSH_POLICIES: readonly WebPushPolicy[] = ['all', 'followed', 'follower', 'none'];

const MAX_ENDPOINT_LENGTH = 2048;

/** Keys arrive base64 or base64url, padded or not, as browsers and apps produce them. */
function keyBytes(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  return Buffer.from(value.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
}

export function checkEndpoint(endpoint: string): string {
  const url = URL.parse(endpoint);
  if (
    endpoint.length > MAX_ENDPOINT_LENGTH ||
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:')
  ) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: Endpoint must be an http(s) URL of at most 2048 characters',
      'subscription[endpoint]',
    );
  }
  return endpoint;
}

/** Returns the keys in base64url, as the Web Push library reads them. */
export function checkKeys(keys: { p256dh: string; auth: string }): {
  p256dh: string;
  auth: string;
} {
  const publicKey = keyBytes(keys.p256dh);
  if (!publicKey || publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64)',
      'subscription[keys][p256dh]',
    );
  }
  const auth = keyBytes(keys.auth);
  if (!auth || auth.length !== 16) {
    throw new DomainError(
      'InvalidField',
      'Validation failed: keys.auth must be 16 bytes, base64',
      'subscription[keys][auth]',
    );
  }
  return { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') };
}

/** The alert names that are on (unknown names are ignored, as Mastodon ignores them). */
export function enabledAlerts(alerts: Readonly<Record<string, boolean>>): WebPushAlert[] {
  return WEB_PUSH_ALERTS.filter((name) => alerts[name] === true);
}

export function checkPolicy(policy: string): WebPushPolicy {
  if (!(WEB_PUSH_POLICIES as readonly string[]).includes(policy)) {
    throw new DomainError(
      'InvalidField',
      `Validation failed: policy must be one of ${WEB_PUSH_POLICIES.join(', ')}`,
      'data[policy]',
    );
  }
  return policy as WebPushPolicy;
}
