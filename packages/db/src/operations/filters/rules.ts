/**
 * The rules of a person's filters (Mastodon's v2 filters): what a keyword matches, and the bounds
 * that keep matching cheap for every status read (a keyword is a regular expression run on each
 * status of a page, so their size and number are limited).
 */
import { isFarBeyondLimit } from '@murmur/text';
import { DomainError } from '../../errors.js';
import {
  FILTER_ACTIONS,
  FILTER_CONTEXTS,
  type FilterAction,
  type FilterContext,
} from '../../schema/index.js';

export const MAX_FILTER_TITLE_LENGTH = 256;
export const MAX_FILTER_KEYWORD_LENGTH = 512;
export const MAX_KEYWORDS_PER_FILTER = 100;
export const MAX_FILTERS_PER_ACCOUNT = 100;

function invalid(message: string, field: string): DomainError {
  return new DomainError('InvalidField', `Validation failed: ${message}`, field);
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/**
 * The PostgreSQL regular expression (matched with `~*`, case-insensitively) for a keyword, as
 * Mastodon's CustomFilterKeyword#to_regex: the keyword literally and, for a whole word, a word
 * boundary (`\y`) on each side that begins or ends with a word character ("#tag" still matches
 * "#tag!"; "cat" does not match "concatenate"). Every character that is not a letter, digit or
 * space is escaped, so no keyword is ever read as an operator.
 */
export function keywordPattern(keyword: string, wholeWord: boolean): string {
  const literal = keyword.replace(/[^\p{L}\p{N}\s]/gu, (c) => `\\${c}`);
  if (!wholeWord) return literal;
  const first = [...keyword][0] ?? '';
  const last = [...keyword].at(-1) ?? '';
  return `${WORD_CHARACTER.test(first) ? '\\y' : ''}${literal}${WORD_CHARACTER.test(last) ? '\\y' : ''}`;
}

/** A keyword as stored, or a 422 that says what is wrong with it. */
export function checkedKeyword(raw: string): string {
  if (isFarBeyondLimit(raw, MAX_FILTER_KEYWORD_LENGTH)) {
    throw invalid(
      `Keyword is too long (at most ${MAX_FILTER_KEYWORD_LENGTH} characters)`,
      'keyword',
    );
  }
  const keyword = raw.trim();
  if (keyword === '') throw invalid("Keyword can't be blank", 'keyword');
  if ([...keyword].length > MAX_FILTER_KEYWORD_LENGTH) {
    throw invalid(
      `Keyword is too long (at most ${MAX_FILTER_KEYWORD_LENGTH} characters)`,
      'keyword',
    );
  }
  return keyword;
}

export function checkedTitle(raw: string): string {
  if (isFarBeyondLimit(raw, MAX_FILTER_TITLE_LENGTH)) {
    throw invalid(`Title is too long (at most ${MAX_FILTER_TITLE_LENGTH} characters)`, 'title');
  }
  const title = raw.trim();
  if (title === '') throw invalid("Title can't be blank", 'title');
  if ([...title].length > MAX_FILTER_TITLE_LENGTH) {
    throw invalid(`Title is too long (at most ${MAX_FILTER_TITLE_LENGTH} characters)`, 'title');
  }
  return title;
}

export function checkedContext(raw: readonly string[]): FilterContext[] {
  const context = [...new Set(raw)];
  if (context.length === 0) throw invalid("Context can't be blank", 'context');
  for (const value of context) {
    if (!(FILTER_CONTEXTS as readonly string[]).includes(value)) {
      throw invalid(`Context includes an invalid value (${value.slice(0, 40)})`, 'context');
    }
  }
  return context as FilterContext[];
}

export function checkedAction(raw: string): FilterAction {
  if (!(FILTER_ACTIONS as readonly string[]).includes(raw)) {
    throw invalid('Filter action must be warn, hide or blur', 'filter_action');
  }
  return raw as FilterAction;
}

/** `expires_in` seconds from `now` as a date; null (never) for absent, null or 0. */
export function expiryFrom(expiresIn: number | null | undefined, now = new Date()): Date | null {
  if (expiresIn === undefined || expiresIn === null || expiresIn === 0) return null;
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 0 || expiresIn > 100 * 365 * 24 * 3600) {
    throw invalid('Expires in must be a whole number of seconds', 'expires_in');
  }
  return new Date(now.getTime() + expiresIn * 1000);
}

export function filterNotFound(): DomainError {
  return new DomainError('FilterNotFound', 'Record not found');
}
