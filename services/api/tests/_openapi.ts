/**
 * Mastodon's own API description (`shared/reference/mastodon-openapi.json`, beside the repository),
 * as a validator of response bodies: the contract a route answers, independent of our TypeBox
 * schemas. The file is looked for in the repository's parent folders, or at MASTODON_OPENAPI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function findDocument(): string {
  if (process.env.MASTODON_OPENAPI) return process.env.MASTODON_OPENAPI;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference', 'mastodon-openapi.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error('shared/reference/mastodon-openapi.json not found (set MASTODON_OPENAPI)');
  }
}

const DOCUMENT_ID = 'mastodon-openapi';
let validator: Ajv2020 | undefined;

function load(): Ajv2020 {
  if (validator) return validator;
  const document = JSON.parse(readFileSync(findDocument(), 'utf8')) as {
    components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  };
  // The one deliberate difference: notification ids are 64-bit snowflakes, which a JSON number
  // cannot carry exactly, so this id is a string like every other id (Mastodon's notification ids
  // are small serials; its web client reads the field as a string too).
  document.components.schemas.NotificationGroup!.properties.most_recent_notification_id = {
    type: 'string',
    pattern: '^\\d+$',
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('iso-639-1', /^[a-z]{2}$/);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  validator = ajv;
  return ajv;
}

/** Asserts that `body` is what Mastodon's description says `schemaName` is, listing every mismatch. */
export function expectMastodonSchema(schemaName: string, body: unknown): void {
  const validate = load().getSchema(`${DOCUMENT_ID}#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName} in the OpenAPI document`);
  const valid = validate(body);
  expect(
    valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`),
    schemaName,
  ).toEqual([]);
}
