/**
 * Property: no input gives a 5xx. Every operation of the API's own OpenAPI document gets random and
 * hostile values in its path, query and body (declared fields and others, JSON and forms), with a
 * valid token and without. A 4xx is the right answer to nonsense; a 500 is a bug.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './_helpers.js';
import { signedInUser, type TestUser } from './_mastodon.js';

interface Operation {
  method: string;
  path: string;
  queryNames: string[];
  bodyNames: string[];
}

let t: TestApp;
let alice: TestUser;
let operations: Operation[] = [];

const unlimited = { limit: 1_000_000_000, windowMs: 60_000 };

beforeAll(async () => {
  t = await createTestApp({
    rateLimits: {
      perToken: unlimited,
      perAccount: unlimited,
      unauthenticatedPerIp: unlimited,
      deletesPerAccount: unlimited,
      tokenPerIp: unlimited,
      apiSignUpPerIp: unlimited,
    },
  });
  alice = await signedInUser(t.database);
  const document = (await t.app.inject({ url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      queryNames: (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name),
      bodyNames: Object.keys(
        operation.requestBody?.content?.['application/json']?.schema?.properties ?? {},
      ),
    })),
  );
}, 60_000);

afterAll(() => t?.close());

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: {
    content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>;
  };
}

/** Strings that have broken servers: NUL, lone surrogates, huge numbers, injections, long runs. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '👨‍👩‍👧‍👦',
  "' OR 1=1 --",
  '"; drop table accounts; --',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00',
  '%',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '9'.repeat(30),
  '99999999999999999999',
  '-9223372036854775809',
  'é'.repeat(2000),
  'x'.repeat(20_000),
  'https://example.com/' + 'a'.repeat(3000),
  'urn:ietf:wg:oauth:2.0:oob',
  'read write follow push admin:read',
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

function fieldsOf(names: string[], withValue: fc.Arbitrary<unknown>) {
  const declared = names.length > 0 ? fc.constantFrom(...names) : fc.constant('x');
  return fc.dictionary(fc.oneof(declared, declared, hostileString), withValue, { maxKeys: 5 });
}

function requestFor(operation: Operation) {
  const pathParameters = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  return fc.record({
    signedIn: fc.boolean(),
    path: fc.tuple(...pathParameters.map(() => fc.oneof(hostileString, fc.constant(alice.id)))),
    query: fieldsOf(operation.queryNames, fc.oneof(hostileString, fc.array(hostileString))),
    body: fieldsOf(operation.bodyNames, hostileValue),
    encoding: fc.constantFrom('json', 'json', 'form', 'none'),
  });
}

function toQueryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) params.append(`${name}[]`, String(item));
    else params.append(name, String(value));
  }
  return params.toString();
}

describe('every operation of the OpenAPI document', () => {
  it('answers random and hostile input without a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const operation of operations) {
      await fc
        .assert(
          fc.asyncProperty(requestFor(operation), async (input) => {
            let index = 0;
            const path = operation.path.replace(/\{[^}]+\}/g, () =>
              encodeURIComponent(String(input.path[index++])),
            );
            const query = toQueryString(input.query);
            const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
            const headers: Record<string, string> = input.signedIn ? { ...alice.headers } : {};
            let payload: string | undefined;
            if (hasBody && input.encoding === 'json') {
              headers['content-type'] = 'application/json';
              payload = JSON.stringify(input.body);
            } else if (hasBody && input.encoding === 'form') {
              headers['content-type'] = 'application/x-www-form-urlencoded';
              payload = toQueryString(input.body);
            }
            const response = await t.app.inject({
              method: operation.method as 'GET',
              url: query ? `${path}?${query}` : path,
              headers,
              ...(payload === undefined ? {} : { payload }),
            });
            if (response.statusCode >= 500) {
              failures.push(
                `${operation.method} ${path}?${query.slice(0, 200)} ${String(payload).slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 200)}`,
              );
            }
            return response.statusCode < 500;
          }),
          { numRuns: 25, endOnFailure: true },
        )
        .catch(() => undefined);
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
