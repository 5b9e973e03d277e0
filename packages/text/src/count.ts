import { countGraphemes } from './graphemes.js';
import { tokenize } from './tokenize.js';

/** Every link counts as this many characters however long it is, as in Mastodon. */
export const URL_LENGTH = 23;
export const DEFAULT_MAX_CHARACTERS = 500;

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
