/**
 * The formatter's safety promise: whatever the input, the output holds only the tags and
 * attributes it makes itself, hrefs are http(s) or the caller's, and all text is escaped.
 */
import { describe, expect, it } from 'vitest';
import { countCharacters } from './count.js';
import { normalizeStatusText } from './normalize.js';
import { renderPlainTextHtml, renderStatusHtml, type RenderLinks } from './render.js';

const CALLER_ORIGIN = 'https://murmur.example/';

const links: RenderLinks = {
  // Some mentions resolve and some do not, so both paths are exercised.
  profileUrl: (username) => (username.length % 2 === 0 ? `${CALLER_ORIGIN}@${username}` : null),
  tagUrl: (name) => `${CALLER_ORIGIN}tags/${encodeURIComponent(name)}`,
};

const HREF = 'href="([^"<>]*)"';
/** Every tag the formatter may produce, exactly as it produces them. */
const ALLOWED_TAGS = [
  /^<p>$/,
  /^<\/p>$/,
  /^<br \/>$/,
  /^<span>$/,
  /^<span class="(?:invisible|ellipsis|)">$/,
  /^<span class="h-card" translate="no">$/,
  /^<\/span>$/,
  new RegExp(`^<a ${HREF} target="_blank" rel="nofollow noopener noreferrer" translate="no">$`),
  new RegExp(`^<a ${HREF} class="u-url mention">$`),
  new RegExp(`^<a ${HREF} class="mention hashtag" rel="tag">$`),
  /^<\/a>$/,
];
const ENTITY = /&(?:amp|lt|gt|quot|#39);/g;

function decodeEntities(text: string): string {
  const decoded: Record<string, string> = {
    '&amp;': '&',
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
  };
  return text.replace(ENTITY, (entity) => decoded[entity] ?? entity);
}

interface Inspection {
  /** Problems found; empty when the HTML keeps the promise. */
  problems: string[];
  hrefs: string[];
  /** What a browser would display, line breaks aside. */
  textContent: string;
}

function inspectHtml(html: string): Inspection {
  const problems: string[] = [];
  const hrefs: string[] = [];
  const openElements: string[] = [];

  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    if (!ALLOWED_TAGS.some((allowed) => allowed.test(tag))) {
      problems.push(`tag not allowed: ${tag}`);
      continue;
    }
    const href = /href="([^"]*)"/.exec(tag)?.[1];
    if (href !== undefined) hrefs.push(decodeEntities(href));

    const name = /^<\/?([a-z]+)/.exec(tag)?.[1] ?? '';
    if (name === 'br') continue;
    if (tag.startsWith('</')) {
      if (openElements.pop() !== name) problems.push(`unbalanced ${tag}`);
    } else {
      if (name === 'p' && openElements.length > 0) problems.push('nested <p>');
      if (name !== 'p' && openElements.length === 0) problems.push(`${tag} outside a paragraph`);
      openElements.push(name);
    }
  }
  if (openElements.length > 0) problems.push(`unclosed ${openElements.join(', ')}`);

  for (const href of hrefs) {
    if (!/^https?:\/\//i.test(href)) problems.push(`href not http(s): ${href}`);
  }

  const text = html.replace(/<[^>]*>/g, '');
  if (/[<>"]/.test(text)) problems.push(`raw markup character in text: ${text}`);
  if (/&/.test(text.replace(ENTITY, ''))) problems.push(`unescaped & in text: ${text}`);

  return { problems, hrefs, textContent: decodeEntities(text) };
}

/** The visible text of a post: what rendering must keep, with only its line structure removed. */
function visibleText(text: string): string {
  return normalizeStatusText(text)
    .replace(/^(?:[^\S\n]*\n)+/, '')
    .replace(/\n(?:[^\S\n]*\n)+/g, '')
    .replaceAll('\n', '');
}

const HOSTILE_CORPUS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1) data:text/html;base64,PHNjcmlwdD4= vbscript:x',
  '</p><p>',
  '</span></a><a href="javascript:alert(1)">',
  '{{7*7}} ${7*7} <%= 7*7 %>',
  '&amp; &lt; &#60; &#x3C;',
  '\u202Eevil\u202C and zero\u200Bwidth\u200D and \uFEFFbom',
  'https://example.com/"onmouseover="alert(1)',
  "https://example.com/a'onmouseover='alert(1)'",
  'https://example.com/<script>alert(1)</script>',
  'https://example.com/?q=<img>&x="y"',
  '<a href="https://example.com">click</a>',
  'https://javascript:alert(1)@example.com/',
  '@alice"onmouseover=x @ab<script> #tag"><b> #ab&cd',
  'http://"><script>',
  '\u0000<scr\u0000ipt>',
];

describe('hostile input', () => {
  it.each(HOSTILE_CORPUS)('keeps %j inert', (input) => {
    for (const html of [renderStatusHtml(input, links), renderPlainTextHtml(input)]) {
      const { problems, textContent } = inspectHtml(html);
      expect(problems).toEqual([]);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<(?:img|svg|iframe|object|style)/i);
      // An `on…=` handler may only appear as escaped text, never inside a tag.
      for (const tag of html.match(/<[^>]*>/g) ?? []) {
        expect(tag).not.toMatch(/\son\w+=/i);
      }
      expect(textContent).toBe(visibleText(input));
    }
  });

  it('escapes a script tag', () => {
    expect(renderStatusHtml('<script>alert(1)</script>', links)).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('escapes an attribute breakout', () => {
    expect(renderStatusHtml('"><img src=x onerror=alert(1)>', links)).toBe(
      '<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>',
    );
  });

  it('does not link a javascript: URL', () => {
    expect(renderStatusHtml('javascript:alert(1)', links)).toBe('<p>javascript:alert(1)</p>');
  });

  it('cannot close the paragraph', () => {
    expect(renderStatusHtml('</p><p>', links)).toBe('<p>&lt;/p&gt;&lt;p&gt;</p>');
  });

  it('leaves template syntax alone', () => {
    expect(renderStatusHtml('{{7*7}}', links)).toBe('<p>{{7*7}}</p>');
  });

  it('escapes an entity again so it shows as typed', () => {
    expect(renderStatusHtml('&amp;', links)).toBe('<p>&amp;amp;</p>');
  });

  it('keeps direction overrides and zero-width characters as text', () => {
    expect(renderStatusHtml('a\u202Eb\u200Bc\u200Dd', links)).toBe('<p>a\u202Eb\u200Bc\u200Dd</p>');
  });

  it('ends a URL at a double quote', () => {
    expect(renderStatusHtml('https://example.com/"onmouseover="alert(1)', links)).toBe(
      '<p><a href="https://example.com/" target="_blank" rel="nofollow noopener noreferrer" translate="no">' +
        '<span class="invisible">https://</span><span class="">example.com/</span><span class="invisible"></span></a>' +
        '&quot;onmouseover=&quot;alert(1)</p>',
    );
  });

  it('ends a URL at <', () => {
    expect(renderStatusHtml('https://example.com/<b>', links)).toBe(
      '<p><a href="https://example.com/" target="_blank" rel="nofollow noopener noreferrer" translate="no">' +
        '<span class="invisible">https://</span><span class="">example.com/</span><span class="invisible"></span></a>' +
        '&lt;b&gt;</p>',
    );
  });

  it('escapes single quotes inside an href', () => {
    expect(renderStatusHtml("https://example.com/a'b", links)).toBe(
      '<p><a href="https://example.com/a&#39;b" target="_blank" rel="nofollow noopener noreferrer" translate="no">' +
        '<span class="invisible">https://</span><span class="">example.com/a&#39;b</span><span class="invisible"></span></a></p>',
    );
  });
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_ALPHABET = [...'<>&"\'@#:/. \n', ...'abcXYZ_019é'];
/** Fragments that make links, mentions and tags common enough to matter. */
const HOSTILE_FRAGMENTS = [
  'https://',
  'http://',
  'javascript:',
  'www.',
  'onerror=',
  '&amp;',
  '(',
  ')',
  '\n\n',
  '\r\n',
];

function randomHostileString(random: () => number): string {
  const length = Math.floor(random() * 60);
  let text = '';
  for (let index = 0; index < length; index += 1) {
    const pool = random() < 0.15 ? HOSTILE_FRAGMENTS : HOSTILE_ALPHABET;
    text += pool[Math.floor(random() * pool.length)] ?? '';
  }
  return text;
}

describe('random hostile strings', () => {
  it('never produce markup, lose text or miscount', () => {
    const random = randomGenerator(0x5eed);
    const seen = { url: 0, mention: 0, hashtag: 0 };

    for (let run = 0; run < 2000; run += 1) {
      const input = randomHostileString(random);
      for (const html of [renderStatusHtml(input, links), renderPlainTextHtml(input)]) {
        const { problems, textContent, hrefs } = inspectHtml(html);
        expect(problems, `input ${JSON.stringify(input)} gave ${html}`).toEqual([]);
        expect(textContent, `input ${JSON.stringify(input)}`).toBe(visibleText(input));
        for (const href of hrefs) {
          expect(href).not.toMatch(/[\s<>"]/);
        }
        const stripped = html.replace(/<\/?(?:p|br|span|a)\b[^>]*>/g, '');
        expect(stripped).not.toMatch(/[<>]/);
      }

      const html = renderStatusHtml(input, links);
      if (html.includes('target="_blank"')) seen.url += 1;
      if (html.includes('class="u-url mention"')) seen.mention += 1;
      if (html.includes('class="mention hashtag"')) seen.hashtag += 1;

      const count = countCharacters(input);
      expect(
        Number.isInteger(count) && count >= 0,
        `count ${count} for ${JSON.stringify(input)}`,
      ).toBe(true);
    }

    // The generator must actually reach every kind of link, or the test proves little.
    expect(seen.url).toBeGreaterThan(50);
    expect(seen.mention).toBeGreaterThan(50);
    expect(seen.hashtag).toBeGreaterThan(50);
  });
});
