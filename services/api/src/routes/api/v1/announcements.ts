/**
 * Announcements (`/api/v1/announcements`): what the operator published for everyone (with
 * `pnpm murmurctl announcements …`), the viewer's read marks and emoji reactions.
 */
import {
  activeAnnouncements,
  addAnnouncementReaction,
  dismissAnnouncement,
  removeAnnouncementReaction,
} from '@murmur/db/announcements';
import Type from 'typebox';
import { serializeAnnouncement } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { IdParams } from '../../../schemas/atoms.js';
import { Announcement } from '../../../schemas/entities.js';
import { ERRORS, userOf } from '../_shared.js';

const tags = ['announcements'];
const EmptyObject = Type.Object({}, { additionalProperties: false });
const ReactionParams = Type.Object({
  id: IdParams.properties.id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
});

export default async function announcementRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;

  app.get(
    '/api/v1/announcements',
    {
      config: { auth: 'user', scopes: ['read'] },
      schema: {
        tags,
        summary: 'Announcements that have not ended, with your read marks and reactions',
        querystring: Type.Object({ with_dismissed: Type.Optional(Type.String({ maxLength: 8 })) }),
        response: { 200: Type.Array(Announcement), ...ERRORS },
      },
    },
    async (request) => {
      const found = await activeAnnouncements(database.replica, userOf(request));
      return found.map((a) => serializeAnnouncement(a, config.publicOrigin));
    },
  );

  app.post(
    '/api/v1/announcements/:id/dismiss',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags,
        summary: 'Mark an announcement read',
        params: IdParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await dismissAnnouncement(database, {
        accountId: userOf(request),
        announcementId: request.params.id,
      });
      return {};
    },
  );

  app.put(
    '/api/v1/announcements/:id/reactions/:name',
    {
      config: { auth: 'user', scopes: ['write:favourites'] },
      schema: {
        tags,
        summary: 'React to an announcement with an emoji',
        params: ReactionParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await addAnnouncementReaction(database, {
        accountId: userOf(request),
        announcementId: request.params.id,
        name: request.params.name,
      });
      return {};
    },
  );

  app.delete(
    '/api/v1/announcements/:id/reactions/:name',
    {
      config: { auth: 'user', scopes: ['write:favourites'] },
      schema: {
        tags,
        summary: 'Take back a reaction to an announcement',
        params: ReactionParams,
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request) => {
      await removeAnnouncementReaction(database, {
        accountId: userOf(request),
        announcementId: request.params.id,
        name: request.params.name,
      });
      return {};
    },
  );
}
