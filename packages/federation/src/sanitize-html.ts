/**
 * The HTML of remote statuses, made safe to hand to clients: what Mastodon itself keeps of incoming
 * content (paragraphs, line breaks, links, emphasis, lists, quotes, code; the `mention`, `hashtag`,
 * `h-card`, `invisible` and `ellipsis` classes clients style), every other element reduced to its
 * text, scripts and styles dropped with their content, links only to http(s) and opened without
 * referrer. Built on `sanitize-html` (a maintained allow-list sanitizer over htmlparser2).
 */
import sanitize from 'sanitize-html';

const ALLOWED_CLASSES = ['h-card', 'u-url', 'mention', 'hashtag', 'invisible', 'ellipsis'];

const OPTIONS: sanitize.IOptions = {
  allowedTags: [
    'p',
    'br',
    'span',
    'a',
    'del',
    's',
    'pre',
    'code',
    'em',
    'strong',
    'b',
    'i',
    'u',
    'ul',
    'ol',
    'li',
    'blockquote',
  ],
  allowedAttributes: { a: ['href', 'rel', 'class', 'target'], span: ['class'], ol: ['start'] },
  allowedClasses: { a: ALLOWED_CLASSES, span: ALLOWED_CLASSES },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Unknown elements keep their text; these keep nothing (code and styling, never content).
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title'],
  transformTags: {
    a: (tagName, attributes) => ({
      tagName,
      attribs: { ...attributes, rel: 'nofollow noopener noreferrer', target: '_blank' },
    }),
    // Headings and the like become paragraphs, as Mastodon shows them.
    h1: 'p',
    h2: 'p',
    h3: 'p',
    h4: 'p',
    h5: 'p',
    h6: 'p',
  },
};

export function sanitizeRemoteHtml(html: string): string {
  return sanitize(html, OPTIONS).trim();
}
