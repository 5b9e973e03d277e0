/**
 * ActivityPub payloads shaped like what Mastodon 4.x sends (`fixtures/mastodon/*.json`, written
 * from Mastodon's documentation and the ActivityStreams vocabulary), with `{{name}}` placeholders
 * for what differs per test: the remote actor, the local account, ids. A string that is only a
 * placeholder may be replaced by an object (an embedded activity).
 */
import { readFileSync } from 'node:fs';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Values = Record<string, string | Record<string, unknown>>;

function fill(value: Json, values: Values, name: string): Json {
  if (typeof value === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(value);
    if (whole && typeof values[whole[1]!] === 'object') return values[whole[1]!] as Json;
    return value.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const replacement = values[key];
      if (typeof replacement !== 'string') throw new Error(`${name}: no value for {{${key}}}`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, values, name));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values, name)]));
  }
  return value;
}

export function mastodonFixture(name: string, values: Values): Record<string, unknown> {
  const path = new URL(`./fixtures/mastodon/${name}.json`, import.meta.url);
  return fill(JSON.parse(readFileSync(path, 'utf8')) as Json, values, name) as Record<
    string,
    unknown
  >;
}
