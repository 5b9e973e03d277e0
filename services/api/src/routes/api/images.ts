/** The default avatar and header every account points at (absolute URLs that always load). */
import { MISSING_AVATAR_PATH, MISSING_HEADER_PATH } from '../../entities/index.js';
import type { ApiInstance } from '../../plugins/context.js';
import { MISSING_AVATAR_PNG, MISSING_HEADER_PNG } from './png.js';

export default async function imageRoutes(app: ApiInstance): Promise<void> {
  for (const [path, image] of [
    [MISSING_AVATAR_PATH, MISSING_AVATAR_PNG],
    [MISSING_HEADER_PATH, MISSING_HEADER_PNG],
  ] as const) {
    app.get(
      path,
      {
        config: { auth: 'none' },
        schema: { tags: ['accounts'], summary: 'Default image (PNG)', hide: true },
      },
      async (_request, reply) =>
        reply.type('image/png').header('cache-control', 'public, max-age=86400').send(image),
    );
  }
}
