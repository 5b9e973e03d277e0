import type { DatasetInfo } from '../dataset.js';
import type { RequestSpec } from '../load.js';
import type { HttpScenario } from './types.js';

/**
 * One request per target status, each sent by the posters in turn (its own rotation, offset by the
 * status), so a (poster, status) pair repeats only after 300 uses of one status: every request
 * favourites something new (a repeated favourite would be a no-op and cheaper).
 */
function favourites(info: DatasetInfo, path: (id: string) => string): RequestSpec[] {
  const tokens = info.posterTokens;
  return info.favouriteTargetIds.map((id, i) => {
    let n = i;
    return {
      method: 'POST',
      path: path(id),
      vary: () => ({ authorization: `Bearer ${tokens[n++ % tokens.length]!}` }),
    };
  });
}

export const favouriteStatus: HttpScenario = {
  id: 'favourite',
  title: 'POST /api/v1/statuses/:id/favourite',
  service: 'api',
  requests: (info) => favourites(info, (id) => `/api/v1/statuses/${id}/favourite`),
  reference: (info) => favourites(info, (id) => `/ref/statuses/${id}/favourite`),
  bare: 'json',
  writes: true,
};
