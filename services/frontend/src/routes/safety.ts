/**
 * Blocking and muting on the website: the profile's buttons post here, and "Blocks and mutes" in
 * the settings lists them with a button to undo each. The rules themselves are the database
 * package's (what a block or a mute hides applies to every page that reads statuses).
 */
import {
  blockAccount,
  blockedBy,
  muteAccount,
  mutedAccounts,
  unblockAccount,
  unmuteAccount,
} from '@murmur/db/safety';
import { findAccountByUsername, type AccountView } from '@murmur/db/accounts';
import { findRemoteAccount } from '@murmur/db/federation';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { profilePath } from '@murmur/service-kit/public-urls';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import { actionButton } from '../views/layout.js';
import { requireViewer } from './reading.js';
import { AccountHandleParams, ActionForm } from './schemas.js';
import { accountHref, acctOf, handleOf } from '../views/accounts.js';

const session = { csrf: 'session' } as const;
const LIST_LIMIT = 80;

export function registerSafetyRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  /**
   * The account a button names: `alice` here, `mallory@remote.example` of another server (blocked or
   * muted from the settings' list; this website has no profile pages for them), and where to go
   * back to without a `return_to`.
   */
  async function findTarget(handle: string): Promise<{ id: string; fallback: string } | null> {
    const at = handle.lastIndexOf('@');
    if (at <= 0) {
      const local = await findAccountByUsername(deps.database.primary, handle);
      return local && { id: local.id, fallback: profilePath(local.username) };
    }
    const remote = await findRemoteAccount(
      deps.database.primary,
      handle.slice(0, at),
      handle.slice(at + 1),
    );
    return remote && { id: remote.id, fallback: '/settings/blocks' };
  }

  for (const [action, operation] of [
    ['block', blockAccount],
    ['unblock', unblockAccount],
    ['mute', muteAccount],
    ['unmute', unmuteAccount],
  ] as const) {
    app.post<{ Params: Static<typeof AccountHandleParams>; Body: ActionForm }>(
      `/@:username/${action}`,
      { config: session, schema: { params: AccountHandleParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        const target = await findTarget(request.params.username);
        if (!target) throw new HttpError(404, 'There is nobody with that name here.');
        await operation(deps.database, {
          accountId: viewer.account.id,
          targetAccountId: target.id,
          requestId: request.id,
        });
        return redirectBack(reply, request.body.return_to, target.fallback);
      },
    );
  }

  app.get('/settings/blocks', async (request, reply) => {
    if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
    const context = pageContext(request, deps);
    const accountId = request.viewer.account.id;
    // Reads its own writes (an undo just made, then the redirect here), so the primary.
    const [blocks, mutes] = await Promise.all([
      blockedBy(deps.database.primary, accountId, { limit: LIST_LIMIT }),
      mutedAccounts(deps.database.primary, accountId, { limit: LIST_LIMIT }),
    ]);
    const row = (account: AccountView, action: 'unblock' | 'unmute', note = '') =>
      html`<li><a href="${accountHref(account)}">${handleOf(account)}</a>${note} ${actionButton(
        context,
        `${profilePath(acctOf(account))}/${action}`,
        action === 'unblock' ? 'Unblock' : 'Unmute',
        { ariaLabel: `${action === 'unblock' ? 'Unblock' : 'Unmute'} ${handleOf(account)}` },
      )}</li>`;
    const body = html`<h1>Blocks and mutes</h1>
<p>Nobody is told that you blocked or muted them. A blocked account cannot follow you or see your
posts while signed in; a muted one's posts stay out of your timelines.</p>
<h2>Blocked accounts</h2>
${
  blocks.accounts.length === 0
    ? html`<p>You block nobody.</p>`
    : html`<ul class="account-list" aria-label="Blocked accounts">${blocks.accounts.map((a) => row(a, 'unblock'))}</ul>`
}
<h2>Muted accounts</h2>
${
  mutes.accounts.length === 0
    ? html`<p>You mute nobody.</p>`
    : html`<ul class="account-list" aria-label="Muted accounts">${mutes.accounts.map((m) =>
        row(
          m.account,
          'unmute',
          m.expiresAt
            ? ` (until ${m.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`
            : '',
        ),
      )}</ul>`
}`;
    return sendPage(reply, context, { title: 'Blocks and mutes', body, noindex: true });
  });
}
