/**
 * OAuth scopes as Mastodon defines them (https://docs.joinmastodon.org/api/oauth-scopes/).
 * Scopes are hierarchical: `read` grants every `read:*`, `write` every `write:*`, `admin:read` every
 * `admin:read:*`; the legacy `follow` grants read and write on follows, blocks and mutes.
 */

const READ = [
  'accounts',
  'blocks',
  'bookmarks',
  'favourites',
  'filters',
  'follows',
  'lists',
  'mutes',
  'notifications',
  'search',
  'statuses',
];
const WRITE = [
  'accounts',
  'blocks',
  'bookmarks',
  'conversations',
  'favourites',
  'filters',
  'follows',
  'lists',
  'media',
  'mutes',
  'notifications',
  'reports',
  'statuses',
];
const ADMIN = [
  'accounts',
  'reports',
  'domain_allows',
  'domain_blocks',
  'ip_blocks',
  'email_domain_blocks',
  'canonical_email_blocks',
];

export const TOP_LEVEL_SCOPES = [
  'read',
  'write',
  'push',
  'follow',
  'profile',
  'admin:read',
  'admin:write',
] as const;

export const KNOWN_SCOPES: ReadonlySet<string> = new Set([
  ...TOP_LEVEL_SCOPES,
  ...READ.map((s) => `read:${s}`),
  ...WRITE.map((s) => `write:${s}`),
  ...ADMIN.map((s) => `admin:read:${s}`),
  ...ADMIN.map((s) => `admin:write:${s}`),
]);

const FOLLOW_GRANTS = new Set([
  'read:follows',
  'read:blocks',
  'read:mutes',
  'write:follows',
  'write:blocks',
  'write:mutes',
]);

/** Splits a space-separated scope string (tolerating `+` and commas some clients send), deduplicated. */
export function parseScopes(value: string | readonly string[] | undefined | null): string[] {
  const raw = Array.isArray(value) ? value.join(' ') : ((value as string | undefined | null) ?? '');
  return [...new Set(raw.split(/[\s+,]+/).filter((s) => s.length > 0))];
}

export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !KNOWN_SCOPES.has(s));
}

/** Whether one granted scope covers one required scope. */
function covers(granted: string, required: string): boolean {
  if (granted === required) return true;
  if (required.startsWith(`${granted}:`)) return granted !== 'admin'; // read ⊇ read:x, admin:read ⊇ admin:read:x
  return granted === 'follow' && FOLLOW_GRANTS.has(required);
}

/** Whether `granted` satisfies at least one of `required` (any-of). An empty `required` is always met. */
export function scopesAllow(granted: readonly string[], required: readonly string[]): boolean {
  if (required.length === 0) return true;
  return required.some((r) => granted.some((g) => covers(g, r)));
}

/** Whether every scope of `requested` is covered by `allowed` (a token may not exceed its app). */
export function scopesWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((r) => allowed.some((a) => covers(a, r)));
}
