/**
 * Endpoints popular clients call at start-up for features this server does not have
 * (trending links). They answer an empty list, as GoToSocial's stubs do, so apps such as
 * Ivory and Ice Cubes do not fail (takahe#473, PR #533).
 */
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams } from '../../../schemas/atoms.js';
import { ERRORS, EmptyArray } from '../_shared.js';

interface Stub {
  path: string;
  summary: string;
  scope: string | null;
  params?: boolean;
}

const STUBS: Stub[] = [
  // Trending links need link previews (preview cards), which this server does not fetch.
  { path: '/api/v1/trends/links', summary: 'Trending links (none)', scope: null },
];

export default async function stubRoutes(app: ApiInstance): Promise<void> {
  for (const stub of STUBS) {
    app.get(
      stub.path,
      {
        config:
          stub.scope === null
            ? { auth: 'optional', scopes: [] }
            : { auth: 'user', scopes: [stub.scope] },
        schema: {
          tags: ['stubs'],
          summary: stub.summary,
          ...(stub.params ? { params: IdParams } : {}),
          querystring: Type.Object({}),
          response: { 200: EmptyArray, ...ERRORS },
        },
      },
      async () => [],
    );
  }
}
