import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  httpTable,
  ratio,
  referenceRatio,
  renderTable,
  type LoadMeasurement,
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
      '| GET /x | 10000 | 700 | 12.3 | 45.7 | 0 | 1 | 1000 | 3.2 | 9.9 | 70% | 7000 | 10% |',
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
      scenario: 'public',
      title: 'GET /x',
      size: 10_000,
      service: load(700),
      reference: load(1_000),
      bare: null,
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
