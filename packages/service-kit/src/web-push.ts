/**
 * Web Push settings shared by the API (subscriptions, the public key it advertises) and the worker
 * (delivery), and the sealing of a subscription's access token: Mastodon's push payload carries the
 * token the app subscribed with, but tokens are stored only as hashes, so the API stores it sealed
 * (AES-256-GCM, key derived from the VAPID private key with HKDF) and the worker opens it to build
 * the payload. A copy of the database alone still grants nothing.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type WebPushSettings =
  { enabled: true; publicKey: string; privateKey: string } | { enabled: false; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodedLength(value: string): number {
  return BASE64URL.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/**
 * Reads PUSH_ENABLED and the VAPID pair. Without keys, development runs with push off (the routes
 * say so); production refuses to start unless PUSH_ENABLED=false.
 */
export function webPushSettings(values: {
  NODE_ENV: string;
  PUSH_ENABLED: boolean;
  VAPID_PUBLIC_KEY?: string | undefined;
  VAPID_PRIVATE_KEY?: string | undefined;
}): { settings: WebPushSettings; problems: string[] } {
  if (!values.PUSH_ENABLED) {
    return { settings: { enabled: false, reason: 'PUSH_ENABLED=false' }, problems: [] };
  }
  const publicKey = values.VAPID_PUBLIC_KEY;
  const privateKey = values.VAPID_PRIVATE_KEY;
  if (publicKey === undefined && privateKey === undefined) {
    if (values.NODE_ENV === 'production') {
      return {
        settings: { enabled: false, reason: 'no VAPID keys' },
        problems: [
          'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set in production while PUSH_ENABLED is on (`pnpm vapid:generate` prints a pair; or set PUSH_ENABLED=false)',
        ],
      };
    }
    return {
      settings: {
        enabled: false,
        reason: 'the server has no VAPID keys (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)',
      },
      problems: [],
    };
  }
  const problems: string[] = [];
  if (publicKey === undefined || privateKey === undefined) {
    problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together');
  }
  if (publicKey !== undefined && decodedLength(publicKey) !== 65) {
    problems.push('VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)');
  }
  if (privateKey !== undefined && decodedLength(privateKey) !== 32) {
    problems.push('VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)');
  }
  if (problems.length > 0 || publicKey === undefined || privateKey === undefined) {
    return { settings: { enabled: false, reason: 'invalid VAPID keys' }, problems };
  }
  return { settings: { enabled: true, publicKey, privateKey }, problems: [] };
}

function sealingKey(vapidPrivateKey: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', vapidPrivateKey, 'murmur', 'web-push access token seal v1', 32),
  );
}

/** `v1.` + base64url(iv ‖ ciphertext ‖ tag). */
export function sealAccessToken(vapidPrivateKey: string, accessToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(vapidPrivateKey), iv);
  const sealed = Buffer.concat([cipher.update(accessToken, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The token, or null when it was sealed with another key (the VAPID pair changed) or altered. */
export function openAccessToken(vapidPrivateKey: string, sealed: string): string | null {
  if (!sealed.startsWith('v1.')) return null;
  const bytes = Buffer.from(sealed.slice(3), 'base64url');
  if (bytes.length < 12 + 16) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      sealingKey(vapidPrivateKey),
      bytes.subarray(0, 12),
    );
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}
