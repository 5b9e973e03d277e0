// Grapheme segmentation is not tailored by locale in practice, so one shared segmenter suffices.
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The user-perceived characters of `text`: an emoji ZWJ sequence, a flag or a letter with its accents is one. */
export function* graphemes(text: string): Generator<string> {
  for (const { segment } of graphemeSegmenter.segment(text)) {
    yield segment;
  }
}

export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of graphemeSegmenter.segment(text)) {
    count += 1;
  }
  return count;
}
