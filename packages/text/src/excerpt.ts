import { graphemes } from './graphemes.js';

const ELLIPSIS = '…';

// eslint-disable-next-line no-control-regex -- matching control characters is the purpose
const NON_WHITESPACE_CONTROL_CHARACTERS = /[\u0000-\u0008\u000E-\u001F\u007F]/g;

/**
 * A one-line preview of at most `maxCharacters` user-perceived characters (grapheme clusters), for
 * email subjects and page titles. Line breaks and runs of whitespace become one space and control
 * characters are dropped (a line break in an email header would end it). When the text is longer,
 * it is cut between two grapheme clusters, never inside an emoji or before a combining accent, and
 * ends with '…', which counts towards `maxCharacters`.
 */
export function excerpt(text: string, maxCharacters: number): string {
  if (!Number.isInteger(maxCharacters) || maxCharacters < 0) {
    throw new RangeError(`maxCharacters must be a non-negative integer, got ${maxCharacters}`);
  }
  const singleLine = text
    .replace(NON_WHITESPACE_CONTROL_CHARACTERS, '')
    .replace(/\s+/g, ' ')
    .trim();

  const kept: string[] = [];
  for (const grapheme of graphemes(singleLine)) {
    if (kept.length === maxCharacters) {
      // One more character than fits: make room for the ellipsis.
      if (maxCharacters === 0) return '';
      return (
        kept
          .slice(0, maxCharacters - 1)
          .join('')
          .trimEnd() + ELLIPSIS
      );
    }
    kept.push(grapheme);
  }
  return singleLine;
}
