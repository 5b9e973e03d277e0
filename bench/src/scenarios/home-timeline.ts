import { rotating, type RequestSpec } from '../load.js';
import type { HttpScenario } from './types.js';

/** Readers (each following the same 1,000 accounts) take turns, so per-token limits stay out of the way. */
export function asReaders(path: string, tokens: readonly string[]): RequestSpec {
  const token = rotating(tokens);
  return { path, vary: () => ({ authorization: `Bearer ${token()}` }) };
}

export const homeTimeline: HttpScenario = {
  id: 'home',
  title: 'GET /api/v1/timelines/home (follows 1,000)',
  service: 'api',
  requests: (info) => [asReaders('/api/v1/timelines/home?limit=20', info.readerTokens)],
  reference: (info) => [asReaders('/ref/timelines/home?limit=20', info.readerTokens)],
  bare: 'json',
};
