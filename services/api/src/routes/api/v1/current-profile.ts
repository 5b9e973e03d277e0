/**
 * `GET` / `PATCH /api/v1/profile`: the signed-in account's profile with the raw values its editor
 * needs (Mastodon's Profile entity). What Murmur has is read and written for real: display name,
 * bio, `locked`, avatar and header (multipart). The other settings of the entity (bot, fields,
 * discoverability, tabs, descriptions of the images) do not exist here: they are answered with
 * their fixed values, and sent values for them change nothing (the answer shows what is stored).
 */
import {
  findAccountById,
  updateProfile,
  type LocalAccount,
  type ProfileChanges,
} from '@murmur/db/accounts';
import Type from 'typebox';
import { mediaUrl } from '../../../entities/context.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { LenientBoolean, Nullable } from '../../../schemas/atoms.js';
import { ERRORS, parseBoolean, recordNotFound, userOf } from '../_shared.js';
import { replaceProfileImage } from './profile.js';

const Url = Nullable(Type.String());
const Profile = Type.Object({
  id: Type.String(),
  display_name: Type.String(),
  note: Type.String(),
  fields: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  locked: Type.Boolean(),
  bot: Type.Boolean(),
  indexable: Type.Boolean(),
  discoverable: Nullable(Type.Boolean()),
  hide_collections: Nullable(Type.Boolean()),
  attribution_domains: Type.Array(Type.String()),
  avatar: Url,
  avatar_static: Url,
  avatar_description: Type.String(),
  header: Url,
  header_static: Url,
  header_description: Type.String(),
  show_featured: Type.Boolean(),
  show_media: Type.Boolean(),
  show_media_replies: Type.Boolean(),
});

const ProfileBody = Type.Object({
  display_name: Type.Optional(Nullable(Type.String())),
  note: Type.Optional(Nullable(Type.String())),
  locked: Type.Optional(Nullable(LenientBoolean)),
});

function serializeProfile(row: LocalAccount, publicUrl: string) {
  const avatar = row.avatarKey ? mediaUrl(publicUrl, row.avatarKey) : null;
  const header = row.headerKey ? mediaUrl(publicUrl, row.headerKey) : null;
  return {
    id: row.id,
    display_name: row.displayName,
    note: row.note,
    fields: [],
    locked: row.locked,
    bot: false,
    indexable: true,
    discoverable: true,
    hide_collections: false,
    attribution_domains: [],
    avatar,
    avatar_static: avatar,
    avatar_description: '',
    header,
    header_static: header,
    header_description: '',
    show_featured: true,
    show_media: true,
    show_media_replies: true,
  };
}

export default async function currentProfileRoutes(app: ApiInstance): Promise<void> {
  const { database, config } = app;
  const tags = ['profile'];

  app.get(
    '/api/v1/profile',
    {
      config: { auth: 'user', scopes: ['read:accounts', 'profile'] },
      schema: {
        tags,
        summary: 'Your profile, with the raw values an editor needs',
        response: { 200: Profile, ...ERRORS },
      },
    },
    async (request) => {
      const row = await findAccountById(database.primary, userOf(request));
      if (!row) throw recordNotFound();
      return serializeProfile(row, config.publicOrigin);
    },
  );

  app.patch(
    '/api/v1/profile',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags,
        summary: 'Change your display name, bio, `locked`, avatar or header',
        description:
          'JSON, form or multipart (`avatar`, `header` files). Settings Murmur does not have change nothing.',
        body: ProfileBody,
        response: { 200: Profile, ...ERRORS },
      },
    },
    async (request) => {
      const accountId = userOf(request);
      const body = request.body ?? {};
      const changes: ProfileChanges = {};
      if (typeof body.display_name === 'string') changes.displayName = body.display_name;
      if (typeof body.note === 'string') changes.note = body.note;
      if (body.locked != null) changes.locked = parseBoolean(body.locked);
      for (const kind of ['avatar', 'header'] as const) {
        const upload = request.uploads[kind];
        if (upload) await replaceProfileImage(app, accountId, kind, upload.bytes);
      }
      await updateProfile(database, accountId, changes, { requestId: request.id });
      const row = await findAccountById(database.primary, accountId);
      if (!row) throw recordNotFound();
      return serializeProfile(row, config.publicOrigin);
    },
  );
}
