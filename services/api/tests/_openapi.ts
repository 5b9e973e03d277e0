/**
 * Checks response bodies against Mastodon's own OpenAPI description (shared/reference), an
 * independent account of what clients expect, rather than against our own schemas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

/** `shared/reference/` sits beside the repository (or a worktree of it): found by walking up. */
function documentPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference', 'mastodon-openapi.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('shared/reference/mastodon-openapi.json not found');
  }
}

let ajv: Ajv2020 | undefined;

function validator(): Ajv2020 {
  if (ajv) return ajv;
  const document = JSON.parse(readFileSync(documentPath(), 'utf8')) as Record<string, unknown>;
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'mastodon', components: document.components }, 'mastodon');
  return ajv;
}

/** Asserts `value` is a valid `components.schemas[entity]` of Mastodon's OpenAPI document. */
export function expectMastodonEntity(entity: string, value: unknown): void {
  const validate = validator().getSchema(`mastodon#/components/schemas/${entity}`);
  if (!validate) throw new Error(`no schema ${entity} in the OpenAPI document`);
  const valid = validate(value);
  expect(valid ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}
