/**
 * Settings → "Delete account": a page that says what happens and asks for the password, then
 * `deleteOwnAccount` (Mastodon offers this on its website only, not in the client API). A wrong
 * password re-renders the form, empty, with the error (422) and deletes nothing.
 */
import { isDomainError } from '@murmur/db';
import { deleteOwnAccount } from '@murmur/db/accounts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { csrfField } from '../views/layout.js';
import { clearSignInCookies } from './auth.js';
import { requireViewer } from './reading.js';
import { FormBase } from './schemas.js';

const DeletionForm = Type.Object({
  ...FormBase,
  password: Type.Optional(Type.String({ maxLength: 1000 })),
});

export function registerAccountDeletionRoutes(
  app: FastifyInstance,
  deps: FrontendDependencies,
): void {
  const https = deps.config.publicUrl.protocol === 'https:';

  function renderForm(request: FastifyRequest, reply: FastifyReply, error?: string) {
    const viewer = requireViewer(request);
    const context = { ...pageContext(request, deps), path: '/settings' };
    const described = error ? html` aria-describedby="password-error" aria-invalid="true"` : html``;
    const body = html`<h1>Delete account</h1>
<section aria-labelledby="consequences-heading" class="card">
<h2 id="consequences-heading">What happens</h2>
<ul>
<li>You are signed out everywhere, and no app can use your account any more.</li>
<li>Your profile is emptied, your posts and media are removed, and the people you follow and who
follow you are unfollowed.</li>
<li>Other servers are told that the account is gone.</li>
<li>The name @${viewer.account.username} stays taken: nobody can sign up with it again, and you
cannot take the account back. This cannot be undone.</li>
</ul>
</section>
<form method="post" action="/settings/delete" class="card">
${csrfField(context)}
<div class="field">
<label for="password">Your password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
${error ? html`<p class="field-error" id="password-error">${error}</p>` : ''}
</div>
<button type="submit" class="button danger">Delete my account for good</button>
</form>`;
    return sendPage(
      reply,
      context,
      { title: 'Delete account', body, noindex: true },
      error ? 422 : 200,
    );
  }

  app.get('/settings/delete', async (request, reply) => {
    if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
    return renderForm(request, reply);
  });

  app.post<{ Body: Static<typeof DeletionForm> }>(
    '/settings/delete',
    { config: { csrf: 'session' }, schema: { body: DeletionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      try {
        const { profileImageKeys } = await deleteOwnAccount(deps.database, {
          accountId: viewer.account.id,
          password: request.body.password ?? '',
          requestId: request.id,
        });
        await deps.mediaStorage.delete(profileImageKeys);
      } catch (error) {
        if (!isDomainError(error, 'InvalidPassword')) throw error;
        return renderForm(request, reply, 'That is not your password. Nothing was deleted.');
      }
      request.log.info(
        { event: 'account_deleted', accountId: viewer.account.id },
        'account deleted',
      );
      clearSignInCookies(reply, https);
      const context = { ...pageContext(request, deps), viewer: null };
      const body = html`<h1>Your account was deleted</h1>
<p role="status">You are signed out. Your posts and media are being removed, and other servers are
told that the account is gone.</p>`;
      return sendPage(reply, context, { title: 'Account deleted', body, noindex: true });
    },
  );
}
