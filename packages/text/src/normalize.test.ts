import { describe, expect, it } from 'vitest';
import {
  isValidUsername,
  normalizeHashtag,
  normalizeStatusText,
  normalizeUsername,
} from './normalize.js';

describe('normalizeStatusText', () => {
  it('turns CRLF and lone CR line endings into LF', () => {
    expect(normalizeStatusText('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(normalizeStatusText('a\r\n\r\nb')).toBe('a\n\nb');
  });

  it('strips NUL and other C0 controls but keeps tab and newline', () => {
    expect(normalizeStatusText('a\u0000b\u0007c\u001bd\u000be\u000cf\u001fg')).toBe('abcdefg');
    expect(normalizeStatusText('a\tb\nc')).toBe('a\tb\nc');
  });

  it('trims whitespace at the end only', () => {
    expect(normalizeStatusText('  hello \t\n\n ')).toBe('  hello');
    expect(normalizeStatusText('\n\nhello')).toBe('\n\nhello');
  });

  it('leaves other characters as typed', () => {
    const typed = 'Ünïcödé <b>&amp;</b> \u202eRTL \u200bzero-width 👨‍👩‍👧 ＦＵＬＬ';
    expect(normalizeStatusText(typed)).toBe(typed);
  });

  it('does not let a stripped control leave trailing whitespace behind', () => {
    expect(normalizeStatusText('hello \u0000')).toBe('hello');
    expect(normalizeStatusText('\u0000')).toBe('');
  });

  it('is idempotent', () => {
    const inputs = ['a\r\n\u0000\r\nb \r', '\r\u0001\n', ' x \t', 'plain'];
    for (const input of inputs) {
      const once = normalizeStatusText(input);
      expect(normalizeStatusText(once)).toBe(once);
    }
  });
});

describe('normalizeHashtag', () => {
  it('lower-cases', () => {
    expect(normalizeHashtag('TypeScript')).toBe('typescript');
    expect(normalizeHashtag('ÉTÉ')).toBe('été');
  });

  it('applies NFKC so composed, decomposed and full-width forms share a key', () => {
    expect(normalizeHashtag('Cafe\u0301')).toBe('caf\u00e9');
    expect(normalizeHashtag('ＣＡＦＥ')).toBe('cafe');
    expect(normalizeHashtag('ﬁsh')).toBe('fish');
  });

  it('keeps scripts without case unchanged', () => {
    expect(normalizeHashtag('日本語')).toBe('日本語');
  });
});

describe('normalizeUsername', () => {
  it('lower-cases', () => {
    expect(normalizeUsername('Alice_42')).toBe('alice_42');
  });
});

describe('isValidUsername', () => {
  it('accepts 1 to 30 ASCII letters, digits and underscores', () => {
    expect(isValidUsername('a')).toBe(true);
    expect(isValidUsername('Alice_42')).toBe(true);
    expect(isValidUsername('x'.repeat(30))).toBe(true);
  });

  it('rejects empty, too long, and other characters', () => {
    expect(isValidUsername('')).toBe(false);
    expect(isValidUsername('x'.repeat(31))).toBe(false);
    expect(isValidUsername('alice.bob')).toBe(false);
    expect(isValidUsername('alice-bob')).toBe(false);
    expect(isValidUsername('@alice')).toBe(false);
    expect(isValidUsername('alicé')).toBe(false);
    expect(isValidUsername('alice\n')).toBe(false);
  });
});
