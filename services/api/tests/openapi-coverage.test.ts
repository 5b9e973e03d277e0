/**
 * How much of Mastodon's API description this server covers, counted from the routes Fastify has
 * registered: each operation is
 * - missing: no route answers its method and path;
 * - stub: a route answers, but whatever happens with an empty list or a constant (the routes of
 *   routes/api/v1/stubs.ts, tagged `stubs` in this server's own OpenAPI document);
 * - implemented: any other route.
 * The table and the numbers are printed; the test fails when an operation this server is known to
 * implement is reported otherwise.
 * Run: `cd services/api && npx vitest run tests/openapi-coverage.test.ts` (MASTODON_OPENAPI names
 * the description when it is not beside the repository).
 */
import { describe, expect, it } from 'vitest';
import type { ApiInstance } from '../src/plugins/context.js';
import { useServer } from './_mastodon.js';
import {
  loadMastodonOpenApi,
  MASTODON_OPENAPI_PATH,
  type HttpMethod,
  type MastodonOperation,
} from './_openapi.js';

type Coverage = 'implemented' | 'stub' | 'missing';

/** `/api/v1/accounts/{id}` and `/api/v1/accounts/{account_id}` are the same route. */
const routeKey = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

function classify(app: ApiInstance, operations: MastodonOperation[]): Map<string, Coverage> {
  const ownDocument = app.swagger() as {
    paths: Record<string, Record<string, { tags?: string[] }>>;
  };
  const stubs = new Set<string>();
  for (const [path, item] of Object.entries(ownDocument.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.tags?.includes('stubs')) stubs.add(routeKey(method, path));
    }
  }
  const coverage = new Map<string, Coverage>();
  for (const operation of operations) {
    const url = operation.path.replace(/\{([^}]+)\}/g, ':$1');
    const key = routeKey(operation.method, operation.path);
    const registered = app.hasRoute({ method: operation.method, url });
    coverage.set(key, !registered ? 'missing' : stubs.has(key) ? 'stub' : 'implemented');
  }
  return coverage;
}

/** Operations this server implements for real (a sample across features; each has its own tests). */
const KNOWN_IMPLEMENTED: [HttpMethod, string][] = [
  ['GET', '/api/v1/timelines/home'],
  ['POST', '/api/v1/statuses'],
  ['GET', '/api/v1/notifications'],
  ['GET', '/api/v2/search'],
  ['GET', '/api/v1/favourites'],
  ['GET', '/api/v1/bookmarks'],
  ['POST', '/api/v1/statuses/{id}/pin'],
  ['GET', '/api/v1/featured_tags'],
  ['GET', '/api/v1/followed_tags'],
  ['GET', '/api/v1/endorsements'],
  ['GET', '/api/v2/suggestions'],
  ['GET', '/oauth/userinfo'],
  ['GET', '/api/v2/notifications/policy'],
  ['PATCH', '/api/v2/notifications/policy'],
  ['GET', '/api/v1/notifications/requests'],
  ['POST', '/api/v1/notifications/requests/{id}/accept'],
  ['GET', '/api/v1/annual_reports'],
  ['POST', '/api/v1/annual_reports/{year}/generate'],
];

let app: ApiInstance;
useServer((server) => ({ app } = server));

const description = loadMastodonOpenApi();

describe.skipIf(description === null)(`coverage of ${MASTODON_OPENAPI_PATH}`, () => {
  it('classifies every operation and prints the numbers', () => {
    const operations = description!.operations;
    const coverage = classify(app, operations);
    const lines = operations.map((o) => {
      const state = coverage.get(routeKey(o.method, o.path))!;
      return `${state.padEnd(11)} ${o.method.padEnd(6)} ${o.path}`;
    });
    const count = (state: Coverage) => [...coverage.values()].filter((c) => c === state).length;
    const total = coverage.size;
    const percent = (n: number) => `${((100 * n) / total).toFixed(0)} %`;
    console.log(
      [
        ...lines.sort(),
        '',
        `Mastodon operations: ${total}`,
        `implemented: ${count('implemented')} (${percent(count('implemented'))})`,
        `stub:        ${count('stub')} (${percent(count('stub'))})`,
        `missing:     ${count('missing')} (${percent(count('missing'))})`,
      ].join('\n'),
    );

    expect(total).toBe(operations.length);
    for (const [method, path] of KNOWN_IMPLEMENTED) {
      expect({
        operation: `${method} ${path}`,
        coverage: coverage.get(routeKey(method, path)),
      }).toEqual({ operation: `${method} ${path}`, coverage: 'implemented' });
    }
  });
});
