import { escapeHtml } from './escape.js';
import { normalizeHashtag, normalizeStatusText, normalizeUsername } from './normalize.js';
import { tokenize, type HashtagToken, type MentionToken, type Token } from './tokenize.js';

/**
 * Where mentions and hashtags link to. Return absolute http(s) URLs or root-relative paths
 * (`/@alice`); anything else is a programming error and makes rendering throw.
 */
export interface RenderLinks {
  /**
   * Receives the lower-cased username (see `normalizeUsername`). Returns null when there is no such
   * local account, and the mention then renders as plain text.
   */
  profileUrl(username: string): string | null;
  /** Receives the normalized tag name (see `normalizeHashtag`). */
  tagUrl(normalizedName: string): string;
  /**
   * The profile of a remote account `@user@domain` (both lower-cased), or null when the text does
   * not mention a known account (it then renders as plain text). Left out: remote mentions are text.
   */
  remoteProfileUrl?(username: string, domain: string): string | null;
}

/** The characters of a link's text that stay visible; clients show the rest as an ellipsis. */
const VISIBLE_URL_LENGTH = 30;
/** Hidden in the link text, as Mastodon does: readers know it is a link. */
const HIDDEN_URL_PREFIX = /^https?:\/\/(?:www\.)?/i;
const URL_REL = 'nofollow noopener noreferrer';
const SAFE_CALLER_HREF = /^(?:https?:\/\/|\/)/i;

/** Leading lines with nothing visible on them, which would otherwise render an empty paragraph. */
const LEADING_BLANK_LINES = /^(?:[^\S\n]*\n)+/;
/** One or more blank lines (possibly holding spaces) separate paragraphs. */
const PARAGRAPH_BREAK = /\n(?:[^\S\n]*\n)+/g;

/**
 * The `content` HTML of a status, in the markup Mastodon clients expect: paragraphs, line breaks,
 * and links for URLs, hashtags and mentions of existing local accounts. All other text is escaped,
 * so the output only ever contains `<p>`, `<br />`, `<span>` and `<a>` tags made here.
 * Empty or whitespace-only text renders as '' (as Mastodon), not `<p></p>`.
 */
export function renderStatusHtml(text: string, links: RenderLinks): string {
  return renderParagraphs(text, (token) => {
    switch (token.kind) {
      case 'url':
        return renderUrl(token.url);
      case 'hashtag':
        return renderHashtag(token, links);
      case 'mention':
        return renderMention(token, links);
    }
  });
}

/**
 * HTML for free text such as an account's bio: paragraphs, line breaks and linked URLs. Mentions
 * and hashtags stay plain text. Empty text renders as ''.
 */
export function renderPlainTextHtml(text: string): string {
  return renderParagraphs(text, (token) => (token.kind === 'url' ? renderUrl(token.url) : null));
}

/** `renderToken` returns null to leave a token as plain text. */
function renderParagraphs(text: string, renderToken: (token: Token) => string | null): string {
  const source = normalizeStatusText(text).replace(LEADING_BLANK_LINES, '');
  if (source === '') return '';

  // Tokens never contain whitespace, so every line and paragraph break is in the text between them.
  let html = '';
  let cursor = 0;
  for (const token of tokenize(source)) {
    html += renderText(source.slice(cursor, token.start));
    html += renderToken(token) ?? renderText(source.slice(token.start, token.end));
    cursor = token.end;
  }
  html += renderText(source.slice(cursor));
  return `<p>${html}</p>`;
}

function renderText(text: string): string {
  return escapeHtml(text).replace(PARAGRAPH_BREAK, '</p><p>').replaceAll('\n', '<br />');
}

/**
 * Mastodon's link markup: the scheme and `www.` in an invisible span, then the first 30 characters
 * of the rest, then the remainder in another invisible span; the middle span has class `ellipsis`
 * when something was hidden after it. Characters are counted as code points, as Mastodon does.
 */
function renderUrl(url: string): string {
  const prefix = HIDDEN_URL_PREFIX.exec(url)?.[0] ?? '';
  const rest = Array.from(url.slice(prefix.length));
  const visible = rest.slice(0, VISIBLE_URL_LENGTH).join('');
  const hidden = rest.slice(VISIBLE_URL_LENGTH).join('');
  const visibleClass = hidden === '' ? '' : 'ellipsis';
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="${URL_REL}" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${visibleClass}">${escapeHtml(visible)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span>` +
    `</a>`
  );
}

function renderHashtag(token: HashtagToken, links: RenderLinks): string {
  const href = checkCallerHref(links.tagUrl(normalizeHashtag(token.name)), 'tagUrl');
  return (
    `<a href="${escapeHtml(href)}" class="mention hashtag" rel="tag">` +
    `#<span>${escapeHtml(token.name)}</span></a>`
  );
}

function renderMention(token: MentionToken, links: RenderLinks): string | null {
  const username = normalizeUsername(token.username);
  // As Mastodon: a remote account's link shows its username alone, and leads to its own server.
  const profileUrl =
    token.domain === undefined
      ? links.profileUrl(username)
      : (links.remoteProfileUrl?.(username, token.domain.toLowerCase()) ?? null);
  if (profileUrl === null) return null;
  const href = checkCallerHref(
    profileUrl,
    token.domain === undefined ? 'profileUrl' : 'remoteProfileUrl',
  );
  return (
    `<span class="h-card" translate="no">` +
    `<a href="${escapeHtml(href)}" class="u-url mention">@<span>${escapeHtml(token.username)}</span></a>` +
    `</span>`
  );
}

/** Keeps a `javascript:` or other scheme out of an href even if a caller builds URLs wrongly. */
function checkCallerHref(href: string, source: keyof RenderLinks): string {
  if (!SAFE_CALLER_HREF.test(href)) {
    throw new TypeError(
      `RenderLinks.${source} must return an http(s) URL or a root-relative path, got ${JSON.stringify(href)}`,
    );
  }
  return href;
}
