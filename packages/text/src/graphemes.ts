// Grapheme segmentation is not tailored by locale in practice, so one shared segmenter suffices.
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * V8's segment iterator costs time proportional to the length of the whole string for every
 * segment it yields, so iterating one long text is quadratic (64 KB took seconds, 1 MB minutes).
 * Texts are therefore segmented in windows of about this many UTF-16 code units.
 */
export const SEGMENTATION_WINDOW = 256;

/**
 * The user-perceived characters of `text`: an emoji ZWJ sequence, a flag or a letter with its accents
 * is one. Linear in the length of `text`.
 *
 * Each window starts on a boundary of the whole text. Whether there is a boundary at a position
 * depends only on what precedes it and the character at it, so every boundary inside a window is a
 * boundary of the whole text; only the window's last segment may be cut short by the window's end.
 * It is therefore kept back and the next window starts where it starts. A single cluster longer
 * than the window (a letter under thousands of combining marks) widens the window until it ends.
 */
export function* graphemes(text: string, windowLength = SEGMENTATION_WINDOW): Generator<string> {
  let start = 0;
  let length = windowLength;
  while (start < text.length) {
    const windowStart = start;
    // Never cut a surrogate pair: the segmenter must see whole code points.
    const end = start + length + (isHighSurrogate(text.charCodeAt(start + length - 1)) ? 1 : 0);
    if (end >= text.length) {
      for (const { segment } of graphemeSegmenter.segment(text.slice(start))) yield segment;
      return;
    }
    let pending: string | undefined;
    for (const { segment } of graphemeSegmenter.segment(text.slice(start, end))) {
      if (pending !== undefined) {
        yield pending;
        start += pending.length;
      }
      pending = segment;
    }
    // One segment filled the whole window, so it may go on: widen the window (the segmenter is fast
    // when segments are few).
    length = start === windowStart ? length * 2 : windowLength;
  }
}

export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of graphemes(text)) count += 1;
  return count;
}

function isHighSurrogate(codeUnit: number): boolean {
  return codeUnit >= 0xd800 && codeUnit <= 0xdbff;
}
