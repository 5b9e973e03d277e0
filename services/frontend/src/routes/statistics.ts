import { readDailyStatistics, type DailyStatistics } from '@murmur/db/statistics';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { barChart } from '../views/charts.js';

type MetricKey = 'posts' | 'mentions' | 'newAccounts' | 'activeAccounts' | 'follows' | 'favourites';
type DayNumbers = { day: string } & Record<MetricKey, number>;

const METRICS: { key: MetricKey; label: string }[] = [
  { key: 'posts', label: 'Posts' },
  { key: 'mentions', label: 'Mentions' },
  { key: 'newAccounts', label: 'New accounts' },
  { key: 'activeAccounts', label: 'Active accounts' },
  { key: 'follows', label: 'Follows' },
  { key: 'favourites', label: 'Favourites' },
];

const StatisticsQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
});

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Every day of the range, with zeros where the worker wrote no row. */
export function fillDays(rows: DailyStatistics[], from: Date, days: number): DayNumbers[] {
  const byDay = new Map<string, DayNumbers>(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, index) => {
    const day = isoDay(new Date(from.getTime() + index * 86_400_000));
    return (
      byDay.get(day) ?? {
        day,
        posts: 0,
        mentions: 0,
        newAccounts: 0,
        activeAccounts: 0,
        follows: 0,
        favourites: 0,
      }
    );
  });
}

export function registerStatisticsRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.get<{ Querystring: Static<typeof StatisticsQuery> }>(
    '/statistics',
    { schema: { querystring: StatisticsQuery } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      const days = request.query.days ?? 30;
      const to = new Date(`${isoDay(deps.clock())}T00:00:00Z`);
      const from = new Date(to.getTime() - (days - 1) * 86_400_000);
      const rows = fillDays(
        await readDailyStatistics(deps.database.replica, { from: isoDay(from), to: isoDay(to) }),
        from,
        days,
      );
      const charts = METRICS.map((m) =>
        barChart(
          `chart-${m.key}`,
          `${m.label} per day`,
          rows.map((r) => ({ day: r.day, value: r[m.key] })),
        ),
      );
      const body = html`<h1>Statistics</h1>
<p class="hint">The last ${days} days (UTC), counted by the worker from the events of the day.</p>
<div class="charts">${charts}</div>
<h2>The numbers</h2>
<div class="table-scroll">
<table>
<caption>Daily numbers, oldest first</caption>
<thead><tr><th scope="col">Day</th>${METRICS.map((m) => html`<th scope="col">${m.label}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r.day}</th>${METRICS.map((m) => html`<td>${r[m.key]}</td>`)}</tr>`)}</tbody>
</table>
</div>`;
      return sendPage(reply, context, { title: 'Statistics', body });
    },
  );
}
