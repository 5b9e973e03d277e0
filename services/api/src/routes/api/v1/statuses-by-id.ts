/** Several statuses at once (`GET /api/v1/statuses?id[]=`), as clients refresh what they show. */
import { visibleStatuses } from '@murmur/db/timelines';
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { StringOrList } from '../../../schemas/atoms.js';
import { Status } from '../../../schemas/entities.js';
import { ERRORS, sendStatuses, toList, viewerOf } from '../_shared.js';

/** Mastodon's limit on `id[]`. */
const MAX_IDS = 20;

export default async function statusesByIdRoutes(app: ApiInstance): Promise<void> {
  app.get(
    '/api/v1/statuses',
    {
      config: { auth: 'optional', scopes: ['read:statuses'] },
      schema: {
        tags: ['statuses'],
        summary: `Statuses by id (\`id[]\`, up to ${MAX_IDS}); those you may not see are left out`,
        querystring: Type.Object({ id: Type.Optional(StringOrList) }),
        response: { 200: Type.Array(Status), ...ERRORS },
      },
    },
    async (request, reply) => {
      const ids = [...new Set(toList(request.query.id))].slice(0, MAX_IDS);
      const statuses = await visibleStatuses(app.database.replica, ids, viewerOf(request));
      return sendStatuses(request, reply, statuses);
    },
  );
}
