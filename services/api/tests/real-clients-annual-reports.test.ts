/**
 * Annual reports as masto.js (Elk, Phanpy) reads them, unmodified, over HTTP: the state of the
 * year, making the report, reading it with the statuses it names, listing, marking it read.
 */
import { createRestAPIClient } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountFixture, createListeningTestApp, type TestApp } from './_helpers.js';
import { tokenFor } from './_mastodon.js';

let t: TestApp;
let url: string;
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  // A year's reports open in its December.
  ({ t, url } = await createListeningTestApp({ clock: () => new Date(Date.UTC(year, 11, 20)) }));
});
afterAll(() => t?.close());

describe('masto.js and annual reports', () => {
  it('makes the report of the year and reads it back', async () => {
    const account = await createAccountFixture(t.database, { username: 'masto_wrapped' });
    const accessToken = await tokenFor(t.database, account.id, ['read', 'write']);
    const client = createRestAPIClient({ url, accessToken });
    const report = client.v1.annualReports.$select(String(year));

    expect(await report.state.fetch()).toEqual({ state: 'ineligible' });
    const post = await client.v1.statuses.create({ status: 'my year in #murmur' });
    expect(await report.state.fetch()).toEqual({ state: 'eligible' });
    await report.generate();
    expect(await report.state.fetch()).toEqual({ state: 'available' });

    const wrapped = await report.fetch();
    expect(wrapped.annualReports).toHaveLength(1);
    expect(wrapped.annualReports[0]).toMatchObject({ year, schemaVersion: 1 });
    expect(wrapped.annualReports[0]!.data).toMatchObject({
      archetype: 'lurker',
      topHashtags: [{ name: 'murmur', count: 1 }],
    });
    expect(wrapped.statuses).toEqual([]);
    await report.read();
    const all = await client.v1.annualReports.list();
    expect(all.annualReports.map((r) => r.year)).toEqual([year]);
    expect(post.id).toBeTruthy();
  });
});
