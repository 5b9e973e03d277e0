/**
 * NodeInfo 2.0 (https://nodeinfo.diaspora.software/). megalodon's detector picks its driver from it
 * and accepts our unknown software name because `metadata.upstream.name` is "mastodon"; Elk reads
 * `/nodeinfo/2.0` directly.
 */
import { readInstanceCounts } from '@murmur/db/statistics';
import type { ApiInstance } from '../../plugins/context.js';
import { NodeInfo, NodeInfoLinks } from '../../schemas/entities.js';

export const NODEINFO_SCHEMA = 'http://nodeinfo.diaspora.software/ns/schema/2.0';

export default async function nodeinfoRoutes(app: ApiInstance): Promise<void> {
  const origin = app.config.publicOrigin;

  app.get(
    '/.well-known/nodeinfo',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['instance'],
        summary: 'NodeInfo discovery',
        response: { 200: NodeInfoLinks },
      },
    },
    async () => ({ links: [{ rel: NODEINFO_SCHEMA, href: `${origin}/nodeinfo/2.0` }] }),
  );

  app.get(
    '/nodeinfo/2.0',
    {
      config: { auth: 'none' },
      schema: { tags: ['instance'], summary: 'NodeInfo 2.0 document', response: { 200: NodeInfo } },
    },
    async () => {
      const counts = await readInstanceCounts(app.database.replica);
      return {
        version: '2.0' as const,
        software: { name: 'murmur', version: '0.1.0' },
        protocols: ['activitypub'],
        services: { outbound: [], inbound: [] },
        usage: {
          users: {
            total: counts.users,
            activeMonth: counts.activeMonth,
            activeHalfyear: counts.activeHalfyear,
          },
          localPosts: counts.localPosts,
        },
        openRegistrations: app.config.registrationsMode === 'open',
        metadata: {
          nodeName: app.config.INSTANCE_TITLE,
          upstream: { name: 'mastodon', version: '4.3.0' },
        },
      };
    },
  );
}
