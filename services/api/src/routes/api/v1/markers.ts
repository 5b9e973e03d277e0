/** Where the signed-in person stopped reading the home timeline and the notifications. */
import {
  getMarkers,
  MARKER_TIMELINES,
  saveMarkers,
  type MarkerView,
} from '@murmur/db/notifications';
import Type from 'typebox';
import { timestamp } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { StringOrList } from '../../../schemas/atoms.js';
import { Markers } from '../../../schemas/entities.js';
import { ERRORS, toList, userOf } from '../_shared.js';

const MarkerInput = Type.Object({
  last_read_id: Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]),
});

function markersBody(markers: MarkerView[]) {
  const body: Record<string, { last_read_id: string; version: number; updated_at: string }> = {};
  for (const marker of markers) {
    body[marker.timeline] = {
      last_read_id: marker.lastReadId,
      version: marker.version,
      updated_at: timestamp(marker.updatedAt),
    };
  }
  return body;
}

export default async function markerRoutes(app: ApiInstance): Promise<void> {
  const { database } = app;

  app.get(
    '/api/v1/markers',
    {
      config: { auth: 'user', scopes: ['read:statuses'] },
      schema: {
        tags: ['markers'],
        summary: 'Saved reading positions (`timeline[]` = home, notifications)',
        querystring: Type.Object({ timeline: Type.Optional(StringOrList) }),
        response: { 200: Markers, ...ERRORS },
      },
    },
    async (request) => {
      const timelines = toList(request.query.timeline);
      return markersBody(
        await getMarkers(
          database.replica,
          userOf(request),
          timelines.length ? timelines : [...MARKER_TIMELINES],
        ),
      );
    },
  );

  app.post(
    '/api/v1/markers',
    {
      config: { auth: 'user', scopes: ['write:statuses'] },
      schema: {
        tags: ['markers'],
        summary: 'Save reading positions',
        body: Type.Object({
          home: Type.Optional(MarkerInput),
          notifications: Type.Optional(MarkerInput),
        }),
        response: { 200: Markers, ...ERRORS },
      },
    },
    async (request) => {
      const changes: { home?: string; notifications?: string } = {};
      if (request.body.home) changes.home = String(request.body.home.last_read_id);
      if (request.body.notifications)
        changes.notifications = String(request.body.notifications.last_read_id);
      return markersBody(await saveMarkers(database, userOf(request), changes));
    },
  );
}
