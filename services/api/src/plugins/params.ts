/**
 * Rails-style parameters, as Mastodon clients send them in query strings, forms and multipart bodies:
 * `types[]=mention&types[]=follow` → `{ types: ['mention', 'follow'] }`,
 * `poll[options][]=a&poll[expires_in]=60` → `{ poll: { options: ['a'], expires_in: '60' } }`.
 * A repeated plain key keeps its last value, as Rack does. Keys that could reach an object's
 * prototype are dropped, and nesting is bounded.
 */

export type ParamValue = string | string[] | ParamObject;
export interface ParamObject {
  [key: string]: ParamValue;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 4;

/** `a[b][]` → ['a', 'b', ''] ; null when the key is malformed. */
function keyPath(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return [key];
  const path = [match[1]!];
  for (const part of match[2]!.matchAll(/\[([^[\]]*)\]/g)) path.push(part[1]!);
  if (path.length > MAX_DEPTH + 1 || path.some((p) => FORBIDDEN_KEYS.has(p))) return null;
  return path;
}

function assign(target: ParamObject, path: string[], value: string): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  if (rest.length === 1 && rest[0] === '') {
    const existing = target[head];
    if (Array.isArray(existing)) existing.push(value);
    else target[head] = [value];
    return;
  }
  if (rest[0] === '') return; // `a[][b]`: arrays of objects are not needed
  let child = target[head];
  if (typeof child !== 'object' || Array.isArray(child)) {
    child = {};
    target[head] = child;
  }
  assign(child, rest, value);
}

export function parseParams(entries: Iterable<[string, string]>): ParamObject {
  const result: ParamObject = {};
  for (const [key, value] of entries) {
    const path = keyPath(key);
    if (path) assign(result, path, value);
  }
  return result;
}

export function parseQueryString(query: string): ParamObject {
  return parseParams(new URLSearchParams(query));
}

/**
 * Blank values mean "absent" (`limit=` must not fail validation: snarfed/bridgy#977). Removes
 * empty-string properties and empty strings inside arrays, at every level, in place. Iterative, so
 * that no nesting can overflow the stack (requests are also refused beyond `MAX_INPUT_DEPTH`).
 */
export function dropBlankValues(value: unknown): void {
  const pending: unknown[] = [value];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) continue;
    const record = current as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const field = record[key];
      if (field === '') delete record[key];
      else if (Array.isArray(field)) {
        const kept = field.filter((item) => item !== '');
        if (kept.length !== field.length) record[key] = kept;
      } else if (typeof field === 'object' && field !== null) pending.push(field);
    }
  }
}
