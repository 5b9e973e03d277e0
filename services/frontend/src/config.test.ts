import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('API_INTERNAL_URL', () => {
  // It receives the authorization code, the PKCE verifier and the website's client secret: a fixed
  // default port would hand them to whatever listens there when the API runs elsewhere.
  it('follows API_PORT when unset', () => {
    expect(loadConfig({ API_PORT: '4201' }).apiInternalUrl).toBe('http://127.0.0.1:4201');
    expect(loadConfig({}).apiInternalUrl).toBe('http://127.0.0.1:3001');
  });

  it('is taken as given when set', () => {
    expect(
      loadConfig({ API_PORT: '4201', API_INTERNAL_URL: 'http://api:3001' }).apiInternalUrl,
    ).toBe('http://api:3001');
  });
});
