/**
 * Bar charts drawn on the server as inline SVG: no script, no inline style (the stylesheet colours
 * them through classes), a <title> and <desc> for screen readers, and a <title> per bar.
 */
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';

export interface ChartPoint {
  /** YYYY-MM-DD */
  day: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 200;
const PADDING = { top: 24, right: 8, bottom: 36, left: 56 };

/** A round upper bound for the axis: 1, 2, 5 × 10^n. */
export function niceMaximum(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

export function barChart(id: string, title: string, points: ChartPoint[]): SafeHtml {
  const max = niceMaximum(Math.max(0, ...points.map((p) => p.value)));
  const total = points.reduce((sum, p) => sum + p.value, 0);
  const plotWidth = WIDTH - PADDING.left - PADDING.right;
  const plotHeight = HEIGHT - PADDING.top - PADDING.bottom;
  const slot = points.length > 0 ? plotWidth / points.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.7);
  const bars = points.map((point, index) => {
    const height = (point.value / max) * plotHeight;
    const x = PADDING.left + index * slot + (slot - barWidth) / 2;
    const y = PADDING.top + plotHeight - height;
    return html`<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}"><title>${point.day}: ${point.value}</title></rect>`;
  });
  const first = points[0]?.day ?? '';
  const last = points.at(-1)?.day ?? '';
  const description =
    points.length > 0
      ? `${points.length} days from ${first} to ${last}; total ${total}; highest ${Math.max(...points.map((p) => p.value))}.`
      : 'No data yet.';
  const baseline = PADDING.top + plotHeight;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${description}</desc>
<line class="axis" x1="${PADDING.left}" y1="${baseline}" x2="${WIDTH - PADDING.right}" y2="${baseline}"></line>
<line class="grid" x1="${PADDING.left}" y1="${PADDING.top}" x2="${WIDTH - PADDING.right}" y2="${PADDING.top}"></line>
<text class="label" x="${PADDING.left - 6}" y="${PADDING.top + 8}" text-anchor="end">${max}</text>
<text class="label" x="${PADDING.left - 6}" y="${baseline + 8}" text-anchor="end">0</text>
${bars}
<text class="label" x="${PADDING.left}" y="${HEIGHT - 8}">${first}</text>
<text class="label" x="${WIDTH - PADDING.right}" y="${HEIGHT - 8}" text-anchor="end">${last}</text>
</svg>
<figcaption>${title}: ${description}</figcaption>
</figure>`;
}
