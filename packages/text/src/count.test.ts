import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_CHARACTERS,
  MAX_CODE_UNITS_PER_CHARACTER,
  URL_LENGTH,
  countCharacters,
  isFarBeyondLimit,
} from './count.js';

describe('countCharacters', () => {
  it('counts plain ASCII one per character', () => {
    expect(countCharacters('')).toBe(0);
    expect(countCharacters('Hello, world!')).toBe(13);
    expect(countCharacters('line one\nline two')).toBe(17);
  });

  it('counts an emoji ZWJ sequence, a skin tone emoji and a flag as one each', () => {
    expect(countCharacters('👨‍👩‍👧‍👦')).toBe(1);
    expect(countCharacters('👩🏽‍💻')).toBe(1);
    expect(countCharacters('👍🏽')).toBe(1);
    expect(countCharacters('🇯🇵🇫🇷')).toBe(2);
    expect(countCharacters('I ❤️ 🏳️‍🌈!')).toBe(6);
  });

  it('counts a letter with combining marks as one', () => {
    expect(countCharacters('e\u0301')).toBe(1);
    expect(countCharacters('cafe\u0301')).toBe(4);
    expect(countCharacters('a\u0308\u0301\u0323')).toBe(1);
    expect(countCharacters('\u1100\u1161\u11a8')).toBe(1); // Hangul jamo forming one syllable
  });

  it('counts characters outside the BMP as one, not as two UTF-16 units', () => {
    expect(countCharacters('𝒜𝒝𝒞')).toBe(3);
    expect(countCharacters('日本語')).toBe(3);
  });

  it(`counts a long URL as ${URL_LENGTH}`, () => {
    const url = `https://example.com/${'a'.repeat(180)}`;
    expect(url).toHaveLength(200);
    expect(countCharacters(url)).toBe(23);
    expect(countCharacters(`Look: ${url}`)).toBe(6 + 23);
  });

  it(`counts a short URL as ${URL_LENGTH} too`, () => {
    expect(countCharacters('http://x.co')).toBe(23);
  });

  it('counts each of two URLs', () => {
    expect(countCharacters('https://a.example/x https://b.example/y')).toBe(23 + 1 + 23);
  });

  it('counts punctuation trimmed off a URL', () => {
    expect(countCharacters('(https://example.com/a).')).toBe(1 + 23 + 2);
  });

  it('does not count a URL without http(s) specially', () => {
    expect(countCharacters('example.com/abc')).toBe(15);
    expect(countCharacters('ftp://example.com')).toBe(17);
  });

  it('counts only the @user part of a remote mention', () => {
    expect(countCharacters('@bob@remote.example')).toBe(4);
    expect(countCharacters('hi @bob@a-very-long-domain-name.example.')).toBe(3 + 4 + 1);
    expect(countCharacters('@first.last@remote.example')).toBe(11);
  });

  it('counts a local mention in full', () => {
    expect(countCharacters('@alice hi')).toBe(9);
  });

  it('counts an email address in full', () => {
    expect(countCharacters('me@example.com')).toBe(14);
  });

  it('allows exactly the limit and not one more', () => {
    expect(DEFAULT_MAX_CHARACTERS).toBe(500);
    expect(countCharacters('a'.repeat(500))).toBe(DEFAULT_MAX_CHARACTERS);
    expect(countCharacters('a'.repeat(501))).toBe(DEFAULT_MAX_CHARACTERS + 1);

    const longUrl = `https://example.com/${'p'.repeat(1000)}`;
    expect(countCharacters(`${'a'.repeat(476)} ${longUrl}`)).toBe(500);
    expect(countCharacters(`${'a'.repeat(477)} ${longUrl}`)).toBe(501);
    expect(countCharacters('👨‍👩‍👧‍👦'.repeat(500))).toBe(500);
    expect(countCharacters('👨‍👩‍👧‍👦'.repeat(501))).toBe(501);
  });
});

describe('isFarBeyondLimit', () => {
  it('refuses on length alone only texts no post within the limit could be', () => {
    const bound = DEFAULT_MAX_CHARACTERS * MAX_CODE_UNITS_PER_CHARACTER;
    expect(isFarBeyondLimit('a'.repeat(bound), DEFAULT_MAX_CHARACTERS)).toBe(false);
    expect(isFarBeyondLimit('a'.repeat(bound + 1), DEFAULT_MAX_CHARACTERS)).toBe(true);
    // 500 of the longest common emoji sequences stay within the bound.
    expect(isFarBeyondLimit('👨‍👩‍👧‍👦'.repeat(DEFAULT_MAX_CHARACTERS), DEFAULT_MAX_CHARACTERS)).toBe(
      false,
    );
  });
});
