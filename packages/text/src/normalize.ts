/**
 * C0 control characters other than tab (\t) and line feed (\n). Carriage returns are turned into
 * line feeds before this applies, so they are not lost.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the purpose
const STRIPPED_CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

const USERNAME = /^[A-Za-z0-9_]{1,30}$/;

/**
 * Cleans a status as submitted, before it is counted, stored and rendered: line endings become
 * `\n`, invisible control characters (NUL, escape sequences…) are removed, and trailing whitespace
 * is trimmed. Everything else, leading whitespace included, stays as typed. Idempotent.
 */
export function normalizeStatusText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(STRIPPED_CONTROL_CHARACTERS, '').trimEnd();
}

/**
 * The unique key of a hashtag: `#Café`, `#café` and `#ｃａｆé` (full-width) are the same tag.
 * NFKC folds compatibility forms such as full-width letters; lower-casing is locale-independent.
 */
export function normalizeHashtag(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/** The unique key of a local username: usernames are ASCII and case-insensitive. */
export function normalizeUsername(name: string): string {
  return name.toLowerCase();
}

/** Whether `name` can be a local username: 1 to 30 ASCII letters, digits or underscores. */
export function isValidUsername(name: string): boolean {
  return USERNAME.test(name);
}
