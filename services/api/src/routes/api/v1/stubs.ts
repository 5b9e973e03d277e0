/**
 * Endpoints popular clients call at start-up for features this server does not have (lists,
 * filters, trends, …). They answer an empty list, as GoToSocial's stubs do, so apps such as
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
  { path: '/api/v1/lists', summary: 'Lists (none)', scope: 'read:lists' },
  { path: '/api/v1/filters', summary: 'Filters, v1 (none)', scope: 'read:filters' },
  { path: '/api/v2/filters', summary: 'Filters (none)', scope: 'read:filters' },
  {
    path: '/api/v1/follow_requests',
    summary: 'Follow requests (none: accounts are not locked)',
    scope: 'read:follows',
  },
  { path: '/api/v1/announcements', summary: 'Announcements (none)', scope: 'read' },
  { path: '/api/v1/blocks', summary: 'Blocked accounts (none)', scope: 'read:blocks' },
  { path: '/api/v1/mutes', summary: 'Muted accounts (none)', scope: 'read:mutes' },
  { path: '/api/v1/domain_blocks', summary: 'Blocked domains (none)', scope: 'read:blocks' },
  { path: '/api/v1/conversations', summary: 'Direct conversations (none)', scope: 'read:statuses' },
  {
    path: '/api/v1/scheduled_statuses',
    summary: 'Scheduled statuses (none)',
    scope: 'read:statuses',
  },
  { path: '/api/v1/trends/tags', summary: 'Trending hashtags (none)', scope: null },
  { path: '/api/v1/trends/statuses', summary: 'Trending statuses (none)', scope: null },
  { path: '/api/v1/trends/links', summary: 'Trending links (none)', scope: null },
  {
    path: '/api/v1/accounts/:id/lists',
    summary: 'Your lists holding an account (none)',
    scope: 'read:lists',
    params: true,
  },
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
