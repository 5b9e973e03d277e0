/**
 * What a security review sent the API as an attacker or a careless client would (issue 12): each
 * input must get a clear 4xx quickly, never a 500 or a stall.
 */
import type { Database } from '@murmur/db';
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { json, type TestUser, useServer } from './_mastodon.js';

let app: ApiInstance;
let database: Database;
let alice: TestUser;

useServer((server) => ({ app, database, alice } = server));

const MEGABYTE = 1024 * 1024;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('long texts', () => {
  // Before: counting was quadratic (9.6 s at 128 KB); a 1 MB status held the event loop for
  // about ten minutes, and every other request waited.
  it('refuses a 1 MB status at once while a concurrent request carries on', async () => {
    const hugeText = 'a '.repeat(MEGABYTE / 2 - 100);
    const [refusal, timeline] = await Promise.all([
      timed(() =>
        app.inject({
          method: 'POST',
          url: '/api/v1/statuses',
          headers: alice.headers,
          payload: { status: hugeText },
        }),
      ),
      timed(() => app.inject({ method: 'GET', url: '/api/v1/timelines/public' })),
    ]);
    expect(refusal.result.statusCode).toBe(422);
    expect(json(refusal.result, 422).error).toBe(
      'Validation failed: Text character limit of 500 exceeded',
    );
    expect(timeline.result.statusCode).toBe(200);
    // Generous bounds for a loaded machine; the refusal itself takes a few milliseconds.
    expect(refusal.ms).toBeLessThan(2_000);
    expect(timeline.ms).toBeLessThan(2_000);
  });

  it('refuses a long content warning, display name and bio on their length alone', async () => {
    const long = 'é'.repeat(200_000);
    const spoiler = await timed(() =>
      app.inject({
        method: 'POST',
        url: '/api/v1/statuses',
        headers: alice.headers,
        payload: { status: 'hi', spoiler_text: long },
      }),
    );
    expect(spoiler.result.statusCode).toBe(422);
    for (const field of ['display_name', 'note']) {
      const { result, ms } = await timed(() =>
        app.inject({
          method: 'PATCH',
          url: '/api/v1/accounts/update_credentials',
          headers: alice.headers,
          payload: { [field]: long },
        }),
      );
      expect(result.statusCode, field).toBe(422);
      expect(ms).toBeLessThan(2_000);
    }
  });

  it('still accepts a status of 500 characters full of long emoji sequences and a long link', async () => {
    const family = '👨‍👩‍👧‍👦'; // 11 UTF-16 code units, one character
    const link = `https://example.com/${'x'.repeat(2000)}`;
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/statuses',
      headers: alice.headers,
      payload: { status: `${family.repeat(470)} ${link}` },
    });
    expect(response.statusCode).toBe(200);
    void database;
  });
});
