import type { DatasetInfo } from '../dataset.js';
import { rotating, type RequestSpec } from '../load.js';
import type { HttpScenario } from './types.js';

/** The text of a created status: two mentions and a hashtag, different every time. */
export function createdStatusText(info: DatasetInfo, n: number): string {
  const [first, second] = info.mentionUsernames;
  return `Benchmark post ${n} for @${first} and @${second} about #${info.hashtag}`;
}

/** Posters (300 accounts, one token each) take turns, so per-token and per-account limits stay out of the way. */
function asPosters(path: string, info: DatasetInfo): RequestSpec {
  const token = rotating(info.posterTokens);
  let n = 0;
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    vary: () => ({ authorization: `Bearer ${token()}` }),
    body: () => JSON.stringify({ status: createdStatusText(info, n++) }),
  };
}

export const createStatus: HttpScenario = {
  id: 'create',
  title: 'POST /api/v1/statuses (2 mentions, 1 tag)',
  service: 'api',
  requests: (info) => [asPosters('/api/v1/statuses', info)],
  reference: (info) => [asPosters('/ref/statuses', info)],
  bare: 'json',
  writes: true,
};
