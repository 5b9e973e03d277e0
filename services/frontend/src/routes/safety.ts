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
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { profilePath } from '@murmur/service-kit/public-urls';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import { actionButton } from '../views/layout.js';
import { requireViewer } from './reading.js';
import { ActionForm, UsernameParams } from './schemas.js';

const session = { csrf: 'session' } as const;
const LIST_LIMIT = 80;

export function registerSafetyRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  for (const [action, operation] of [
    ['block', blockAccount],
    ['unblock', unblockAccount],
    ['mute', muteAccount],
    ['unmute', unmuteAccount],
  ] as const) {
    app.post<{ Params: Static<typeof UsernameParams>; Body: ActionForm }>(
      `/@:username/${action}`,
      { config: session, schema: { params: UsernameParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        const target = await findAccountByUsername(deps.database.primary, request.params.username);
        if (!target) throw new HttpError(404, 'There is nobody with that name here.');
        await operation(deps.database, {
          accountId: viewer.account.id,
          targetAccountId: target.id,
          requestId: request.id,
        });
        return redirectBack(reply, request.body.return_to, `${profilePath(target.username)}`);
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
      html`<li><a href="${profilePath(account.username)}">@${account.username}</a>${note} ${actionButton(
        context,
        `${profilePath(account.username)}/${action}`,
        action === 'unblock' ? 'Unblock' : 'Unmute',
        { ariaLabel: `${action === 'unblock' ? 'Unblock' : 'Unmute'} @${account.username}` },
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
