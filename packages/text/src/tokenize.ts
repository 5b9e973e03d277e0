/**
 * Finds the mentions, hashtags and links in plain post text. Offsets are UTF-16 indices into the
 * text as given, `start` inclusive and `end` exclusive, so `text.slice(start, end)` is the token.
 */

export interface MentionToken {
  kind: 'mention';
  /** Without the leading `@`, as written (case preserved). */
  username: string;
  /** Set for a remote mention `@user@domain`: never resolved to a local account. */
  domain?: string;
  start: number;
  end: number;
}

export interface HashtagToken {
  kind: 'hashtag';
  /** Without the leading `#`, as written. See `normalizeHashtag` for the unique key. */
  name: string;
  start: number;
  end: number;
}

export interface UrlToken {
  kind: 'url';
  /** Always starts with `http://` or `https://` (scheme in any case). */
  url: string;
  start: number;
  end: number;
}

export type Token = MentionToken | HashtagToken | UrlToken;

export const MAX_HASHTAG_LENGTH = 100;

/** Letters, numbers and combining marks of any script, and `_`: what continues a word. */
const WORD_CHARACTER = /^[\p{L}\p{N}\p{M}_]$/u;

// Sticky (`y`) patterns match exactly at `lastIndex`, so the scan never copies the text.
const URL_SCHEME = /https?:\/\//iy;
/**
 * A link runs to the next whitespace. It also stops at `<`, `>` and `"`, which cannot appear raw in
 * a URL but often surround one (`<https://example.com>`), and at control and invisible format
 * characters, so a hidden direction override or zero-width space cannot disguise where it goes.
 */
const URL_BODY = /[^\s<>"\p{Cc}\p{Cf}]*/uy;
/** Punctuation that ends a sentence rather than a link: `See https://example.com.` */
const URL_TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', "'"]);
const URL_HOST_END = /[/?#]/;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** Remote usernames follow other servers' rules, which allow inner dots and dashes. */
const REMOTE_MENTION_USERNAME = /@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@/y;
const DOMAIN_CHARACTERS = /[\p{L}\p{N}\p{M}_.-]+/uy;
/** A local username must be followed by a non-word character: `@x` is not the start of `@xyz…`. */
const LOCAL_MENTION = /@([A-Za-z0-9_]{1,30})(?![\p{L}\p{N}\p{M}_@])/uy;

const HASHTAG = /#([\p{L}\p{N}\p{M}_]+)/uy;
/** `#123` is a number, not a tag: a tag needs at least one letter or underscore. */
const HASHTAG_NON_NUMERIC = /[\p{L}_]/u;

/** Tokens in text order, never overlapping. Anything inside a link belongs to the link. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const token = matchTokenAt(text, index);
    if (token) {
      tokens.push(token);
      index = token.end;
    } else {
      index += 1;
    }
  }
  return tokens;
}

function matchTokenAt(text: string, index: number): Token | null {
  switch (text[index]) {
    case 'h':
    case 'H':
      return matchUrl(text, index);
    case '@':
      return matchMention(text, index);
    case '#':
      return matchHashtag(text, index);
    default:
      return null;
  }
}

function matchUrl(text: string, start: number): UrlToken | null {
  // `xhttps://…` is not a link: the scheme must begin a word.
  if (isWordCharacter(characterBefore(text, start))) return null;

  URL_SCHEME.lastIndex = start;
  const scheme = URL_SCHEME.exec(text)?.[0];
  if (scheme === undefined) return null;

  URL_BODY.lastIndex = start + scheme.length;
  const body = trimUrlEnd(URL_BODY.exec(text)?.[0] ?? '');
  const host = body.split(URL_HOST_END, 1)[0] ?? '';
  if (!LETTER_OR_NUMBER.test(host)) return null;

  const url = scheme + body;
  return { kind: 'url', url, start, end: start + url.length };
}

/**
 * Drops sentence punctuation from the end of a link, and a closing bracket without its opening one:
 * `(see https://example.com/a)` ends before `)`, `https://en.wikipedia.org/wiki/Rust_(language)`
 * keeps it. Brackets are counted once up front so that a link of a million `)` stays linear.
 */
function trimUrlEnd(candidate: string): string {
  let unmatchedParentheses = countOf(candidate, ')') - countOf(candidate, '(');
  let unmatchedBrackets = countOf(candidate, ']') - countOf(candidate, '[');
  let end = candidate.length;
  while (end > 0) {
    const last = candidate.charAt(end - 1);
    if (URL_TRAILING_PUNCTUATION.has(last)) {
      end -= 1;
    } else if (last === ')' && unmatchedParentheses > 0) {
      unmatchedParentheses -= 1;
      end -= 1;
    } else if (last === ']' && unmatchedBrackets > 0) {
      unmatchedBrackets -= 1;
      end -= 1;
    } else {
      break;
    }
  }
  return candidate.slice(0, end);
}

function matchMention(text: string, start: number): MentionToken | null {
  if (!canStartMention(text, start)) return null;
  return matchRemoteMention(text, start) ?? matchLocalMention(text, start);
}

/**
 * `@` starts a mention at the start of the text or after a character that does not continue a
 * word, so the `@` of `me@example.com` does not. Also excluded: `@@x`, a path such as
 * `example.com/@x`, and an address whose local part ends in a dot (`john.@example.com`), while
 * `.@alice` at the start of a sentence stays a mention.
 */
function canStartMention(text: string, start: number): boolean {
  const before = characterBefore(text, start);
  if (before === '') return true;
  if (isWordCharacter(before) || before === '@' || before === '/') return false;
  if (before === '.' && isWordCharacter(characterBefore(text, start - 1))) return false;
  return true;
}

function matchRemoteMention(text: string, start: number): MentionToken | null {
  REMOTE_MENTION_USERNAME.lastIndex = start;
  const usernameMatch = REMOTE_MENTION_USERNAME.exec(text);
  const username = usernameMatch?.[1];
  if (usernameMatch === null || username === undefined) return null;

  const domainStart = start + usernameMatch[0].length;
  DOMAIN_CHARACTERS.lastIndex = domainStart;
  const domainRun = DOMAIN_CHARACTERS.exec(text)?.[0] ?? '';
  // `@a@b@c` is not an address we understand; leave it all as text.
  if (text[domainStart + domainRun.length] === '@') return null;
  // A domain ends on a word character: `@a@example.com.` ends a sentence.
  const domain = trimTrailing(domainRun, '.-');
  if (!isWordCharacter(firstCharacter(domain))) return null;

  return { kind: 'mention', username, domain, start, end: domainStart + domain.length };
}

function matchLocalMention(text: string, start: number): MentionToken | null {
  LOCAL_MENTION.lastIndex = start;
  const match = LOCAL_MENTION.exec(text);
  const username = match?.[1];
  if (match === null || username === undefined) return null;
  return { kind: 'mention', username, start, end: start + match[0].length };
}

/**
 * `#` starts a tag at the start of the text or after a character that does not continue a word;
 * as in Mastodon, not right after `/` or `)` either (`example.com/#top`, `(a)#b`).
 */
function matchHashtag(text: string, start: number): HashtagToken | null {
  const before = characterBefore(text, start);
  if (isWordCharacter(before) || before === '/' || before === ')') return null;

  HASHTAG.lastIndex = start;
  const match = HASHTAG.exec(text);
  const name = match?.[1];
  if (match === null || name === undefined) return null;
  // Too long a run is not truncated into a tag: the author did not write that tag.
  if (codePointLength(name) > MAX_HASHTAG_LENGTH) return null;
  if (!HASHTAG_NON_NUMERIC.test(name)) return null;

  return { kind: 'hashtag', name, start, end: start + match[0].length };
}

function isWordCharacter(character: string): boolean {
  return WORD_CHARACTER.test(character);
}

/** The whole code point that ends just before `index` (both halves of a surrogate pair), or ''. */
function characterBefore(text: string, index: number): string {
  if (index <= 0) return '';
  const last = text.charCodeAt(index - 1);
  const isLowSurrogate = last >= 0xdc00 && last <= 0xdfff;
  if (isLowSurrogate && index >= 2) {
    const previous = text.charCodeAt(index - 2);
    if (previous >= 0xd800 && previous <= 0xdbff) return text.slice(index - 2, index);
  }
  return text.slice(index - 1, index);
}

function firstCharacter(text: string): string {
  const codePoint = text.codePointAt(0);
  return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

function countOf(text: string, character: string): number {
  let count = 0;
  for (
    let index = text.indexOf(character);
    index !== -1;
    index = text.indexOf(character, index + 1)
  ) {
    count += 1;
  }
  return count;
}

// A loop rather than a regex such as /[.-]+$/, which backtracks quadratically on long runs.
function trimTrailing(text: string, characters: string): string {
  let end = text.length;
  while (end > 0 && characters.includes(text.charAt(end - 1))) end -= 1;
  return text.slice(0, end);
}
