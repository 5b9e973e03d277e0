/**
 * Mastodon's own API description (`../shared/reference/mastodon-openapi.json` from the repository
 * root, or from the main checkout's root in a git worktree, or the file named by
 * `MASTODON_OPENAPI`), as an independent check of this server: which of
 * its operations the API registers, and whether a response matches the schema it documents. When
 * the file is absent, `loadMastodonOpenApi()` returns null and the checks are skipped with a note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DESCRIPTION = '../shared/reference/mastodon-openapi.json';

/** In a linked worktree, `.git` is a file naming the main repository's `.git/worktrees/<name>`. */
function mainRepositoryRoot(): string | null {
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(resolve(REPOSITORY_ROOT, '.git'), 'utf8'));
    const main = gitdir?.[1] && /^(.*)\/\.git\/worktrees\/[^/]+\/?$/.exec(gitdir[1].trim());
    return main ? main[1]! : null;
  } catch {
    return null; // `.git` is a directory (the main checkout) or absent (an exported tree)
  }
}

/** `MASTODON_OPENAPI`, else the description beside the repository (or beside its main checkout). */
function descriptionPath(): string {
  if (process.env.MASTODON_OPENAPI) return process.env.MASTODON_OPENAPI;
  const beside = resolve(REPOSITORY_ROOT, DESCRIPTION);
  const main = mainRepositoryRoot();
  return existsSync(beside) || main === null ? beside : resolve(main, DESCRIPTION);
}

export const MASTODON_OPENAPI_PATH = descriptionPath();

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = Uppercase<(typeof METHODS)[number]>;

export interface MastodonOperation {
  method: HttpMethod;
  /** As the description writes it: `/api/v1/accounts/{id}`. */
  path: string;
  operationId: string;
}

interface OperationMatcher extends MastodonOperation {
  pattern: RegExp;
  /** Fewer parameters first, so `/accounts/lookup` wins over `/accounts/{id}`. */
  parameters: number;
}

export interface MastodonOpenApi {
  operations: MastodonOperation[];
  /** What is wrong with `body` as the entity `schemaName` of the description; [] if nothing. */
  schemaProblems(schemaName: string, body: unknown): string[];
  /** The operation a concrete request (`GET /api/v1/accounts/123?x=1`) is an instance of. */
  operationFor(method: string, url: string): MastodonOperation | undefined;
  /** What is wrong with `body` as the documented `status` response of the request; [] if nothing. */
  problems(method: string, url: string, status: number, body: unknown): string[];
}

// ajv-formats is CommonJS: under NodeNext its plugin is the default export's `default`.
const addFormats = addFormatsModule.default;

function pointerSegment(value: string): string {
  return value.replace(/~/g, '~0').replace(/\//g, '~1');
}

let cached: MastodonOpenApi | null | undefined;

export function loadMastodonOpenApi(): MastodonOpenApi | null {
  if (cached !== undefined) return cached;
  if (!existsSync(MASTODON_OPENAPI_PATH)) {
    console.warn(
      `Mastodon's OpenAPI description is not at ${MASTODON_OPENAPI_PATH}; checks against it are skipped (set MASTODON_OPENAPI to its path).`,
    );
    return (cached = null);
  }
  const document = JSON.parse(readFileSync(MASTODON_OPENAPI_PATH, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; responses?: object }>>;
    components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  };
  // The one deliberate difference: notification ids are 64-bit snowflakes, which a JSON number
  // cannot carry exactly, so this id is a string like every other id (Mastodon's notification ids
  // are small serials; its web client reads the field as a string too).
  document.components.schemas.NotificationGroup!.properties.most_recent_notification_id = {
    type: 'string',
    pattern: '^\\d+$',
  };
  // The description carries OpenAPI keywords (example, externalDocs) beside JSON Schema 2020-12.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  // The one format of the description ajv-formats does not know: a two-letter language code.
  ajv.addFormat('iso-639-1', /^[a-z]{2}$/);
  ajv.addSchema(document, 'mastodon');

  const matchers: OperationMatcher[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (path.match(/\{[^}]+\}/g) ?? []).length;
      const pattern = new RegExp(
        `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
      );
      matchers.push({
        method: method.toUpperCase() as HttpMethod,
        path,
        operationId: operation.operationId ?? `${method} ${path}`,
        pattern,
        parameters,
      });
    }
  }
  const byPriority = [...matchers].sort((a, b) => a.parameters - b.parameters);
  const validators = new Map<string, ValidateFunction | null>();

  function operationFor(method: string, url: string): OperationMatcher | undefined {
    const path = new URL(url, 'http://x').pathname;
    return byPriority.find((m) => m.method === method.toUpperCase() && m.pattern.test(path));
  }

  /** The validator of a documented response; null when it has no JSON body, undefined when undocumented. */
  function validatorFor(
    operation: OperationMatcher,
    status: number,
  ): ValidateFunction | null | undefined {
    const key = `${operation.method} ${operation.path} ${status}`;
    if (!validators.has(key)) {
      const responses = document.paths[operation.path]![operation.method.toLowerCase()]!
        .responses as Record<string, { content?: Record<string, { schema?: object }> }>;
      const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
      if (documented === undefined) return undefined;
      const schema = documented.content?.['application/json']?.schema;
      validators.set(
        key,
        schema === undefined
          ? null
          : ajv.compile({
              $ref: `mastodon#/paths/${pointerSegment(operation.path)}/${operation.method.toLowerCase()}/responses/${status}/content/application~1json/schema`,
            }),
      );
    }
    return validators.get(key)!;
  }

  cached = {
    operations: matchers.map(({ method, path, operationId }) => ({ method, path, operationId })),
    schemaProblems(schemaName, body) {
      const validate = ajv.getSchema(`mastodon#/components/schemas/${schemaName}`);
      if (!validate) return [`no schema ${schemaName} in the description`];
      if (validate(body)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    },
    operationFor,
    problems(method, url, status, body) {
      const operation = operationFor(method, url);
      if (!operation) return [`${method} ${url} is not an operation of the description`];
      const validate = validatorFor(operation, status);
      if (validate === undefined) return [`${operation.path} documents no ${status} response`];
      // Documented without a body schema ("Empty"): any JSON body will do, `{}` included.
      if (validate === null) return [];
      if (validate(body)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    },
  };
  return cached;
}

/**
 * Asserts that an injected response's body is what Mastodon's description documents for that
 * operation and status (skipped, with the note above, when the description is absent).
 */
export function expectMastodonResponse(response: LightMyRequestResponse): void {
  const description = loadMastodonOpenApi();
  if (description === null) return;
  const method = response.raw.req.method ?? 'GET';
  const url = response.raw.req.url ?? '/';
  const problems = description.problems(method, url, response.statusCode, response.json());
  expect({ request: `${method} ${url}`, problems }).toEqual({
    request: `${method} ${url}`,
    problems: [],
  });
}

/** Asserts that `body` is what Mastodon's description says `schemaName` is, listing every mismatch. */
export function expectMastodonSchema(schemaName: string, body: unknown): void {
  const description = loadMastodonOpenApi();
  if (description === null) return;
  expect(description.schemaProblems(schemaName, body), schemaName).toEqual([]);
}
