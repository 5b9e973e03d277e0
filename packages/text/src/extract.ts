import { normalizeHashtag, normalizeUsername } from './normalize.js';
import { tokenize } from './tokenize.js';

/**
 * The local accounts a status mentions, as lower-cased usernames, each once, in order of first
 * appearance. Remote mentions (`@user@domain`) are not included.
 */
export function extractMentions(text: string): string[] {
  const usernames = new Set<string>();
  for (const token of tokenize(text)) {
    if (token.kind === 'mention' && token.domain === undefined) {
      usernames.add(normalizeUsername(token.username));
    }
  }
  return [...usernames];
}

/** The hashtags of a status, normalized (see `normalizeHashtag`), each once, in order of first appearance. */
export function extractHashtags(text: string): string[] {
  const names = new Set<string>();
  for (const token of tokenize(text)) {
    if (token.kind === 'hashtag') {
      names.add(normalizeHashtag(token.name));
    }
  }
  return [...names];
}
