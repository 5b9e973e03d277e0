import { describe, expect, it } from 'vitest';
import { openAccessToken, sealAccessToken, webPushSettings } from './web-push.js';

const publicKey = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
const privateKey = Buffer.alloc(32, 9).toString('base64url');

describe('webPushSettings', () => {
  it('turns push on with a valid pair', () => {
    const { settings, problems } = webPushSettings({
      NODE_ENV: 'production',
      PUSH_ENABLED: true,
      VAPID_PUBLIC_KEY: publicKey,
      VAPID_PRIVATE_KEY: privateKey,
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({ enabled: true, publicKey, privateKey });
  });

  it('runs without push in development when there are no keys, and says why', () => {
    const { settings, problems } = webPushSettings({ NODE_ENV: 'development', PUSH_ENABLED: true });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ enabled: false, reason: expect.stringMatching(/VAPID/) });
  });

  it('refuses production without keys unless push is turned off', () => {
    expect(webPushSettings({ NODE_ENV: 'production', PUSH_ENABLED: true }).problems).toEqual([
      expect.stringMatching(/must be set in production/),
    ]);
    expect(webPushSettings({ NODE_ENV: 'production', PUSH_ENABLED: false }).problems).toEqual([]);
  });

  it('names a half or malformed pair', () => {
    expect(
      webPushSettings({ NODE_ENV: 'development', PUSH_ENABLED: true, VAPID_PUBLIC_KEY: publicKey })
        .problems,
    ).toEqual([expect.stringMatching(/set together/)]);
    expect(
      webPushSettings({
        NODE_ENV: 'development',
        PUSH_ENABLED: true,
        VAPID_PUBLIC_KEY: 'not-a-key',
        VAPID_PRIVATE_KEY: privateKey,
      }).problems,
    ).toEqual([expect.stringMatching(/VAPID_PUBLIC_KEY must be/)]);
  });
});

describe('sealAccessToken', () => {
  it('opens with the same key only, and never shows the token', () => {
    const sealed = sealAccessToken(privateKey, 'the-token');
    expect(sealed).not.toContain('the-token');
    expect(openAccessToken(privateKey, sealed)).toBe('the-token');
    expect(openAccessToken(Buffer.alloc(32, 1).toString('base64url'), sealed)).toBeNull();
    expect(openAccessToken(privateKey, `${sealed.slice(0, -2)}AA`)).toBeNull();
    expect(openAccessToken(privateKey, 'garbage')).toBeNull();
  });
});
