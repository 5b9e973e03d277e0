/**
 * Annual reports as masto.js (Elk, Phanpy) reads them, unmodified, over HTTP: the state of the
 * year, making the report, reading it with the statuses it names, listing, marking it read.
 */
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const year = new Date().getUTCFullYear();

// A year's reports open in its December.
const server = useMastoServer({ clock: () => new Date(Date.UTC(year, 11, 20)) });

describe('masto.js and annual reports', () => {
  it('makes the report of the year and reads it back', async () => {
    const { client } = await server.person('masto_wrapped', ['read', 'write']);
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
