import { countGraphemes } from './graphemes.js';
import { tokenize } from './tokenize.js';

/** Every link counts as this many characters however long it is, as in Mastodon. */
export const URL_LENGTH = 23;
export const DEFAULT_MAX_CHARACTERS = 500;

/**
 * The most UTF-16 code units a text may take per character of its limit. The longest emoji
 * sequences take 11 to 14 and a link counts 23 however long it is, so a real post of 500
 * characters stays well under 10,000 code units; a longer text is refused before it is counted or
 * parsed, so that its size, not its content, bounds the work (a request body may hold a megabyte).
 */
export const MAX_CODE_UNITS_PER_CHARACTER = 20;

/**
 * Whether `text` is too long for a limit of `maxCharacters` on its length alone: the cheap check
 * to make before normalizing, counting or tokenizing it. A text that passes may still be over the
 * limit once counted.
 */
export function isFarBeyondLimit(text: string, maxCharacters: number): boolean {
  return text.length > maxCharacters * MAX_CODE_UNITS_PER_CHARACTER;
}

/**
 * The length of a status as Mastodon counts it against the character limit: user-perceived
 * characters (grapheme clusters), with each link counting `URL_LENGTH` and a remote mention
 * `@user@domain` counting only its `@user` part. Count the text after `normalizeStatusText`, as it
 * will be stored.
 */
export function countCharacters(text: string): number {
  let count = 0;
  let cursor = 0;
  for (const token of tokenize(text)) {
    if (token.kind === 'url') {
      count += countGraphemes(text.slice(cursor, token.start)) + URL_LENGTH;
      cursor = token.end;
    } else if (token.kind === 'mention' && token.domain !== undefined) {
      count +=
        countGraphemes(text.slice(cursor, token.start)) + countGraphemes(`@${token.username}`);
      cursor = token.end;
    }
  }
  return count + countGraphemes(text.slice(cursor));
}
