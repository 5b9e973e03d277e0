import { describe, expect, it } from 'vitest';
import { countGraphemes } from './graphemes.js';
import { excerpt } from './excerpt.js';

describe('excerpt', () => {
  it('returns short text unchanged', () => {
    expect(excerpt('Hello world', 11)).toBe('Hello world');
    expect(excerpt('Hello world', 100)).toBe('Hello world');
  });

  it('cuts long text and ends it with an ellipsis that counts towards the limit', () => {
    expect(excerpt('Hello world', 10)).toBe('Hello wor…');
    expect(excerpt('abcdef', 4)).toBe('abc…');
  });

  it('does not leave a space before the ellipsis', () => {
    expect(excerpt('Hello world', 7)).toBe('Hello…');
  });

  it('never splits a grapheme cluster', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(excerpt(`${family}${family}${family}`, 2)).toBe(`${family}…`);
    expect(excerpt('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    expect(excerpt('🇯🇵🇫🇷🇩🇪', 3)).toBe('🇯🇵🇫🇷🇩🇪');
  });

  it('makes the text one line', () => {
    expect(excerpt('First line\r\nsecond\t\tline\n\nthird', 100)).toBe(
      'First line second line third',
    );
    expect(excerpt('  padded\n', 100)).toBe('padded');
    expect(excerpt('bell\u0007 and nul\u0000', 100)).toBe('bell and nul');
  });

  it('handles the smallest limits', () => {
    expect(excerpt('abc', 1)).toBe('…');
    expect(excerpt('abc', 0)).toBe('');
    expect(excerpt('', 0)).toBe('');
    expect(excerpt('a', 1)).toBe('a');
  });

  it('rejects a limit that is not a non-negative integer', () => {
    expect(() => excerpt('abc', -1)).toThrow(RangeError);
    expect(() => excerpt('abc', 1.5)).toThrow(RangeError);
    expect(() => excerpt('abc', Number.NaN)).toThrow(RangeError);
  });

  it('never exceeds the limit', () => {
    const text = 'Ünïcödé 👩🏽‍💻 text with 🇺🇳 flags and e\u0301 accents '.repeat(5);
    for (let limit = 0; limit <= 60; limit += 1) {
      expect(countGraphemes(excerpt(text, limit))).toBeLessThanOrEqual(limit);
    }
  });
});
