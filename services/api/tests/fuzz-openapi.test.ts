/**
 * Property: no input gives a 5xx. Every operation of the API's own OpenAPI document gets random and
 * hostile values in its path, query and body (declared fields and others, JSON and forms), with a
 * valid token and without. A 4xx is the right answer to nonsense; a 500 is a bug.
 *
 * A failure is written whole to a JSON file under the OS temporary directory (the request as sent,
 * the answer, the server's error log with its stack) and the test prints its path with the seed and
 * path that replay the input:
 *   FUZZ_SEED=<seed> FUZZ_OPERATION='<METHOD /path>' FUZZ_PATH=<path> npx vitest run tests/fuzz-openapi.test.ts
 * (the database then holds only what that operation's earlier runs made, so a failure that depended
 * on what other operations left may need the report's request sent by hand). FUZZ_RUNS sets the
 * number of inputs per operation (default 25), e.g. for a long hunt with many seeds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parsedLogLines,
  writeFailureReport,
  type FailureReport,
  type SentRequest,
} from './_fuzz-report.js';
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
    // What the error handler logs for a 5xx (the error and its stack) goes into the report.
    logLevel: 'warn',
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

/**
 * Percent-encoding that also sends what `encodeURIComponent` refuses: a lone surrogate goes out as
 * the three bytes UTF-8 would give it (invalid UTF-8, as a hostile client may send).
 */
function percentEncode(value: string): string {
  if (value.isWellFormed()) return encodeURIComponent(value);
  let encoded = '';
  for (const character of value) {
    const unit = character.charCodeAt(0);
    if (character.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      encoded += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else encoded += encodeURIComponent(character);
  }
  return encoded;
}

/** Form text of a generated value; objects (some without a prototype, so no `toString`) as JSON. */
function formText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function toQueryString(query: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const encodedName = percentEncode(Array.isArray(value) ? `${name}[]` : name);
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${encodedName}=${percentEncode(formText(item))}`);
    }
  }
  return pairs.join('&');
}

type Input = ReturnType<typeof requestFor> extends fc.Arbitrary<infer T> ? T : never;

function requestOf(operation: Operation, input: Input): SentRequest {
  let index = 0;
  const path = operation.path.replace(/\{[^}]+\}/g, () =>
    percentEncode(String(input.path[index++])),
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
  return { method: operation.method, url: query ? `${path}?${query}` : path, headers, payload };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ONLY_OPERATION = process.env.FUZZ_OPERATION;
const REPLAY_PATH = process.env.FUZZ_PATH;

/** The last request of a property run, kept for the report when the run turns out to fail. */
interface Attempt {
  input: Input;
  request?: SentRequest;
  response?: FailureReport['response'];
  serverLog: string[];
}

async function attempt(operation: Operation, input: Input, record: Attempt): Promise<boolean> {
  record.input = input;
  record.request = undefined;
  record.response = undefined;
  const logged = t.logs.length;
  record.serverLog = [];
  try {
    const request = requestOf(operation, input);
    record.request = request;
    const response = await t.app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    record.response = {
      statusCode: response.statusCode,
      headers: response.headers,
      body: response.body,
    };
    return response.statusCode < 500;
  } finally {
    // Requests run one at a time: what was logged meanwhile is this request's.
    record.serverLog = t.logs.slice(logged);
  }
}

/** One line for the assertion: what failed, the cause the server logged, where the rest is. */
function summary(report: FailureReport, file: string): string {
  const logged = report.serverLog.find(
    (line): line is { err: { type?: string; message?: string } } =>
      typeof line === 'object' && line !== null && 'err' in line,
  );
  const cause = report.thrown
    ? `threw ${report.thrown.name}: ${report.thrown.message}`
    : `${report.response?.statusCode} ${logged ? `${logged.err.type}: ${logged.err.message}` : '(nothing logged)'}`;
  return `${report.property} → ${cause.slice(0, 300)}; report ${file}; replay: ${report.replay}`;
}

describe('every operation of the OpenAPI document', () => {
  it('answers random and hostile input without a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(60);
    const seed = SEED ?? Math.floor(Math.random() * 0x7fffffff);
    const failures: string[] = [];
    for (const operation of operations) {
      const property = `${operation.method} ${operation.path}`;
      if (ONLY_OPERATION !== undefined && property !== ONLY_OPERATION) continue;
      const record: Attempt = { input: undefined as unknown as Input, serverLog: [] };
      const details = await fc.check(
        fc.asyncProperty(requestFor(operation), (input) => attempt(operation, input, record)),
        {
          numRuns: RUNS,
          seed,
          // No shrinking: earlier runs change the database, so a shrunk input may not fail again,
          // and the first failing input is the one the report describes.
          endOnFailure: true,
          ...(REPLAY_PATH === undefined ? {} : { path: REPLAY_PATH }),
        },
      );
      if (!details.failed) continue;
      const path = details.counterexamplePath ?? '';
      const answeredWith5xx = (record.response?.statusCode ?? 0) >= 500;
      // fast-check's own "Property failed by returning false" adds nothing to a 5xx.
      const error = answeredWith5xx ? null : details.errorInstance;
      const report: FailureReport = {
        property,
        seed: details.seed,
        path,
        replay: `FUZZ_SEED=${details.seed} FUZZ_OPERATION='${property}' FUZZ_PATH=${path} npx vitest run tests/fuzz-openapi.test.ts`,
        input: record.input,
        request: record.request ?? {
          method: operation.method,
          url: '',
          headers: {},
          payload: undefined,
        },
        ...(record.response ? { response: record.response } : {}),
        ...(error instanceof Error
          ? { thrown: { name: error.name, message: error.message, stack: error.stack } }
          : error == null
            ? {}
            : { thrown: { name: 'Thrown', message: String(error) } }),
        serverLog: parsedLogLines(record.serverLog),
      };
      const file = writeFailureReport(report);
      const line = summary(report, file);
      console.error(`fuzz-openapi: ${line}`);
      failures.push(line);
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
