import { describe, expect, it } from 'vitest';
import { toHtmlString } from '@murmur/service-kit/web-edge';
import { barChart, niceMaximum } from './charts.js';

describe('bar chart', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 180, 501].map(niceMaximum)).toEqual([1, 1, 5, 10, 20, 200, 1000]);
  });

  it('draws one labelled bar per day, scaled to the axis, with an accessible name', () => {
    const svg = toHtmlString(
      barChart('posts', 'Posts <per day>', [
        { day: '2024-11-01', value: 5 },
        { day: '2024-11-02', value: 10 },
      ]),
    );
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="posts-title">Posts &lt;per day&gt;</title>');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('<title>2024-11-02: 10</title>');
    // The highest bar fills the plot (axis maximum 10, plot height 140).
    expect(svg).toMatch(/height="140\.0"><title>2024-11-02: 10/);
    expect(svg).not.toContain('style=');
  });

  it('says so when there is no data', () => {
    expect(toHtmlString(barChart('x', 'X', []))).toContain('No data yet.');
  });
});
