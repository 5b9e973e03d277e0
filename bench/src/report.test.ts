import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  httpTable,
  ratio,
  referenceRatio,
  renderTable,
  type HttpScenarioResult,
  type LoadMeasurement,
  type OpenLoadMeasurement,
} from './report.js';

const load = (requestsPerSecond: number): LoadMeasurement => ({
  requests: requestsPerSecond * 10,
  requestsPerSecond,
  latencyP50Ms: 12.34,
  latencyP99Ms: 45.67,
  errors: 0,
  non2xx: 1,
  bytesPerResponse: 1000,
});

/** A service at 700 req/s against a reference at 1,000. */
const measuredScenario: HttpScenarioResult = {
  scenario: 'public',
  title: 'GET /x',
  size: 10_000,
  service: load(700),
  reference: load(1_000),
  bare: null,
};

const openRun = (latencyP99Ms: number): OpenLoadMeasurement => ({
  offeredPerSecond: 350,
  achievedPerSecond: 349.8,
  scheduled: 3_500,
  sent: 3_500,
  completed: 3_499,
  errors: 0,
  timeouts: 1,
  non2xx: 2,
  latencyP50Ms: 4.44,
  latencyP90Ms: 7,
  latencyP99Ms,
  latencyMaxMs: 10_000,
});

describe('renderTable', () => {
  it('renders a Markdown table with numeric columns right-aligned and pipes escaped', () => {
    expect(
      renderTable(
        ['Name', 'Count'],
        [
          ['a|b', 1],
          ['c', 22],
        ],
      ),
    ).toBe(['| Name | Count |', '|---|---:|', '| a\\|b | 1 |', '| c | 22 |'].join('\n'));
  });

  it('treats missing numbers (en dash) as numeric', () => {
    expect(renderTable(['x'], [[formatNumber(null)], [3]])).toContain('|---:|');
  });
});

describe('httpTable', () => {
  it('reports the throughput as a share of the reference and of the bare ceiling, and the reference latencies', () => {
    const table = httpTable([
      {
        scenario: 'public',
        title: 'GET /x',
        size: 10_000,
        service: load(700),
        reference: { ...load(1_000), latencyP50Ms: 3.21, latencyP99Ms: 9.87 },
        bare: load(7_000),
      },
    ]);
    const row = table.split('\n')[2]!;
    expect(row).toBe(
      '| GET /x | 10000 | 700 | 12.3 | 45.7 | 0 | 1 | 1000 | 3.2 | 9.9 | 70% | 7000 | 10% | – | – | – | – | – |',
    );
  });

  it('leaves the ratio out when there is no reference', () => {
    const table = httpTable([
      {
        scenario: 'website',
        title: 'GET /',
        size: 1,
        service: load(5),
        reference: null,
        bare: null,
      },
    ]);
    expect(table.split('\n')[2]).toContain('| – | – | – | – |');
  });
});

describe('httpTable open columns', () => {
  it('shows the offered rate, the service’s p50 and p99, its failures and the reference’s p99', () => {
    const table = httpTable([
      { ...measuredScenario, open: { service: openRun(12.34), reference: openRun(5.67) } },
    ]);
    expect(table.split('\n')[0]).toMatch(
      /\| open rate\/s \| open p50 ms \| open p99 ms \| open failed \| ref open p99 ms \|$/,
    );
    expect(table.split('\n')[1]).toMatch(/(\|---:){5}\|$/);
    expect(table.split('\n')[2]).toMatch(/\| 350 \| 4\.4 \| 12\.3 \| 3 \| 5\.7 \|$/);
  });

  it('leaves the reference’s column empty when the scenario has no reference', () => {
    const table = httpTable([
      { ...measuredScenario, open: { service: openRun(12.34), reference: null } },
    ]);
    expect(table.split('\n')[2]).toMatch(/\| 350 \| 4\.4 \| 12\.3 \| 3 \| – \|$/);
  });
});

describe('ratio', () => {
  it('is null for a missing or zero reference', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, null)).toBeNull();
    expect(ratio(3, 4)).toBe(0.75);
  });
});

describe('referenceRatio', () => {
  it('is the median of the rounds’ ratios, so one disturbed round does not move it', () => {
    const result = {
      ...measuredScenario,
      rounds: [
        { service: 700, reference: 1_000 },
        { service: 300, reference: 1_000 },
        { service: 800, reference: 1_000 },
      ],
    };
    expect(referenceRatio(result)).toBeCloseTo(0.7);
    expect(httpTable([result])).toContain('| 70% |');
  });

  it('falls back to the single pair without rounds', () => {
    expect(
      referenceRatio({
        scenario: 'public',
        title: 'GET /x',
        size: 10_000,
        service: load(500),
        reference: load(1_000),
        bare: null,
      }),
    ).toBeCloseTo(0.5);
  });
});
