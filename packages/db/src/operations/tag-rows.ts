import { extractHashtags, normalizeHashtag } from '@murmur/text';
import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client.js';
import { DomainError } from '../errors.js';

/** A hashtag name as clients send it (`#Café` or `Café`), normalized; null when it is not one. */
export function hashtagName(raw: string): { name: string; displayName: string } | null {
  const displayName = raw.trim().replace(/^#/, '');
  const name = normalizeHashtag(displayName);
  // The same rule as in posts: the name is a hashtag if the text `#name` is exactly that hashtag.
  const found = extractHashtags(`#${displayName}`);
  return found.length === 1 && found[0] === name ? { name, displayName } : null;
}

/** The tag row for a hashtag, created when nobody used it yet; InvalidField when it is not one. */
export async function ensureTag(
  executor: Executor,
  raw: string,
): Promise<{ id: string; name: string }> {
  const tag = hashtagName(raw);
  if (!tag)
    throw new DomainError('InvalidField', 'Validation failed: Name is not a valid hashtag', 'name');
  const find = () =>
    queryRows<{ id: string; name: string }>(
      executor,
      sql`select id::text, name from tags where name = ${tag.name}`,
    );
  const [row] = await queryRows<{ id: string; name: string }>(
    executor,
    sql`with created as (
      insert into tags (name, display_name) values (${tag.name}, ${tag.displayName})
      on conflict (name) do nothing returning id, name)
    select id::text, name from created
    union all select id::text, name from tags where name = ${tag.name}
    limit 1`,
  );
  // Empty only when another transaction created the tag after this statement's snapshot.
  return row ?? (await find())[0]!;
}
