export {
  DEFAULT_MAX_CHARACTERS,
  MAX_CODE_UNITS_PER_CHARACTER,
  URL_LENGTH,
  countCharacters,
  isFarBeyondLimit,
} from './count.js';
export { escapeHtml } from './escape.js';
export { excerpt } from './excerpt.js';
export { extractHashtags, extractMentions } from './extract.js';
export {
  isValidUsername,
  normalizeHashtag,
  normalizeStatusText,
  normalizeUsername,
} from './normalize.js';
export { renderPlainTextHtml, renderStatusHtml, type RenderLinks } from './render.js';
export {
  tokenize,
  type HashtagToken,
  type MentionToken,
  type Token,
  type UrlToken,
} from './tokenize.js';
