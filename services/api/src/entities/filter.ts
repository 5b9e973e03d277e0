import type { FilterKeywordView, FilterStatusView, FilterView } from '@murmur/db/safety';
import type { StatusFilterMatch } from '@murmur/db/statuses';
import type { Filter, FilterResult } from '../schemas/entities.js';

export function serializeFilterKeyword(view: FilterKeywordView) {
  return { id: view.id, keyword: view.keyword, whole_word: view.wholeWord };
}

export function serializeFilterStatus(view: FilterStatusView) {
  return { id: view.id, status_id: view.statusId };
}

/** A Filter with its keywords and statuses (the filters API). */
export function serializeFilter(view: FilterView): Filter {
  return {
    id: view.id,
    title: view.title,
    context: view.context,
    expires_at: view.expiresAt?.toISOString() ?? null,
    filter_action: view.action,
    keywords: view.keywords.map(serializeFilterKeyword),
    statuses: view.statuses.map(serializeFilterStatus),
  };
}

/** A status's `filtered` entry: the filter (without its rules, as Mastodon) and what matched. */
export function serializeFilterResult(match: StatusFilterMatch): FilterResult {
  return {
    filter: {
      id: match.id,
      title: match.title,
      context: match.context,
      expires_at: match.expiresAt === null ? null : new Date(match.expiresAt).toISOString(),
      filter_action: match.action,
    },
    keyword_matches: match.keywordMatches,
    status_matches: match.statusMatches,
  };
}

/** Mastodon's V1::Filter: one keyword of a v2 filter, the keyword as `phrase`. */
export function serializeV1Filter(filter: FilterView, keyword: FilterKeywordView) {
  return {
    id: keyword.id,
    phrase: keyword.keyword,
    context: filter.context,
    whole_word: keyword.wholeWord,
    expires_at: filter.expiresAt?.toISOString() ?? null,
    irreversible: filter.action === 'hide',
  };
}
