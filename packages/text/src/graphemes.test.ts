import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countGraphemes, graphemes } from './graphemes.js';

const wholeText = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Pieces that join into clusters across any cut: marks, joiners, flags, skin tones, CR LF, jamo, Indic. */
const CLUSTER_PIECES = [
  'a',
  'e',
  ' ',
  '\r',
  '\n',
  '\u0301', // combining acute
  '\u0308',
  '\u200d', // zero-width joiner
  '\ufe0f', // variation selector 16
  '👩',
  '👨',
  '💻',
  '🏽', // skin tone modifier
  '🇯',
  '🇵', // regional indicators
  '🇫',
  '\u1100',
  '\u1161',
  '\u11a8', // Hangul jamo L V T
  '\uac00', // Hangul LV syllable
  'क',
  '\u094d', // Devanagari virama (conjunct linker)
  'ष',
  '\u0600', // Arabic number sign (prepend)
  '1',
  '\u20e3', // combining keycap
];

const clusterText = fc
  .array(fc.constantFrom(...CLUSTER_PIECES), { maxLength: 80 })
  .map((pieces) => pieces.join(''));

describe('graphemes', () => {
  it('segments in windows exactly as the whole text is segmented', () => {
    fc.assert(
      fc.property(
        fc.oneof(clusterText, fc.string({ unit: 'grapheme', maxLength: 60 })),
        fc.integer({ min: 1, max: 9 }),
        (text, window) => {
          const expected = [...wholeText.segment(text)].map(({ segment }) => segment);
          expect([...graphemes(text, window)]).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps a cluster longer than the window whole', () => {
    const zalgo = `a${'\u0301'.repeat(5000)}b`;
    expect([...graphemes(zalgo, 16)]).toEqual([`a${'\u0301'.repeat(5000)}`, 'b']);
  });

  // Counting used to be quadratic in the number of characters: 64 KB took 1.7 s here, so 1 MB
  // would have taken minutes. Linear, 1 MB takes well under a second.
  it('counts a megabyte of text in linear time', () => {
    const megabyte = 'hello world '.repeat(87_382);
    const started = performance.now();
    expect(countGraphemes(megabyte)).toBe(megabyte.length);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
