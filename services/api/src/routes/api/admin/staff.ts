/**
 * The guard of the admin API: besides the token's `admin:*` scope (route config), the account must
 * be a moderator, an admin or the owner, read at every request so a role taken away stops at once.
 * Who may act on which account is decided by the operations (rank).
 */
import { DomainError } from '@murmur/db';
import { findAccountById } from '@murmur/db/accounts';
import { isStaff, type AccountRole } from '@murmur/db/moderation';
import type { FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../../plugins/context.js';
import { userOf } from '../_shared.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The staff member's role, on admin routes. */
    staffRole?: AccountRole;
  }
}

/** Adds the staff check to every route of the (encapsulated) plugin `app`. */
export function requireStaffOnEveryRoute(app: ApiInstance): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const account = await findAccountById(app.database.primary, userOf(request));
    if (!account || !isStaff(account.role)) {
      throw new DomainError('NotAllowed', 'This action is not allowed');
    }
    request.staffRole = account.role;
  });
}

/** Mastodon's admin lists: 100 entries by default, at most 200. */
export const ADMIN_PAGE = { fallback: 100, max: 200 } as const;
