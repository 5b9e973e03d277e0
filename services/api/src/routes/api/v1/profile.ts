/**
 * Avatars and headers. They are processed here, in the request (Mastodon does the same): the
 * client needs the new URL in the answer, and the output is small (400×400, 1500×500). The file is
 * checked from its header before anything is decoded, like an attachment.
 */
import { findAccountById } from '@murmur/db/accounts';
import { setProfileImage, type ProfileImageKind } from '@murmur/db/media';
import { replaceProfileImage as replaceStoredImage } from '@murmur/media';
import type { FastifyInstance } from 'fastify';
import { serializeCredentialAccount } from '../../../entities/index.js';
import type { ApiInstance } from '../../../plugins/context.js';
import { CredentialAccount } from '../../../schemas/entities.js';
import { ERRORS, userOf } from '../_shared.js';
import { refusal } from './media.js';

/** Processes and stores a new avatar or header (null removes it), then deletes the one replaced. */
export async function replaceProfileImage(
  app: FastifyInstance,
  accountId: string,
  kind: ProfileImageKind,
  bytes: Buffer | null,
): Promise<void> {
  await replaceStoredImage(app.mediaStorage, { accountId, kind, bytes }, (key) =>
    setProfileImage(app.database, { accountId, kind, key }),
  ).catch(refusal);
}

export default async function profileRoutes(app: ApiInstance): Promise<void> {
  for (const kind of ['avatar', 'header'] as const) {
    app.delete(
      `/api/v1/profile/${kind}`,
      {
        config: { auth: 'user', scopes: ['write:accounts'] },
        schema: {
          tags: ['accounts'],
          summary: `Remove your ${kind} (the default one is shown again)`,
          response: { 200: CredentialAccount, ...ERRORS },
        },
      },
      async (request) => {
        const accountId = userOf(request);
        await replaceProfileImage(app, accountId, kind, null);
        const account = await findAccountById(app.database.primary, accountId);
        return serializeCredentialAccount(account!, app.config.publicOrigin);
      },
    );
  }
}
