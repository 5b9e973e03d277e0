/** Settings: profile, mention e-mails, authorized apps, password. Forms re-render with their errors. */
import { isDomainError } from '@murmur/db';
import {
  changePassword,
  findAccountById,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  updateProfile,
} from '@murmur/db/accounts';
import {
  listAuthorizedApplications,
  revokeApplicationForAccount,
  type AuthorizedApplication,
} from '@murmur/db/auth';
import { setProfileImage } from '@murmur/db/media';
import { MediaRejected, replaceProfileImage } from '@murmur/media';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { csrfField } from '../views/layout.js';
import { timeElement } from '../views/status.js';
import { requireViewer } from './reading.js';
import { ActionForm, FormBase, IdParams } from './schemas.js';

const ProfileForm = Type.Object({
  ...FormBase,
  display_name: Type.Optional(Type.String({ maxLength: 1000 })),
  note: Type.Optional(Type.String({ maxLength: 10_000 })),
  email_on_mention: Type.Optional(Type.String({ maxLength: 10 })),
  locked: Type.Optional(Type.String({ maxLength: 10 })),
});
const PasswordForm = Type.Object({
  ...FormBase,
  current_password: Type.Optional(Type.String({ maxLength: 1000 })),
  new_password: Type.Optional(Type.String({ maxLength: 1000 })),
});

interface ProfileValues {
  displayName: string;
  note: string;
  emailOnMention: boolean;
  locked: boolean;
}
type FieldErrors = Partial<
  Record<
    'display_name' | 'note' | 'current_password' | 'new_password' | 'avatar' | 'header',
    string
  >
>;

/** A labelled field; with an error, the message is tied to it by aria-describedby. */
function field(
  name: keyof FieldErrors,
  label: string,
  control: (describedBy: SafeHtml) => SafeHtml,
  errors: FieldErrors,
  hint?: string,
): SafeHtml {
  const error = errors[name];
  const ids = [hint ? `${name}-hint` : null, error ? `${name}-error` : null]
    .filter(Boolean)
    .join(' ');
  const describedBy = ids
    ? html` aria-describedby="${ids}"${error ? html` aria-invalid="true"` : ''}`
    : html``;
  return html`<div class="field">
<label for="${name}">${label}</label>
${control(describedBy)}
${hint ? html`<p class="field-hint" id="${name}-hint">${hint}</p>` : ''}
${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : ''}
</div>`;
}

function appsSection(context: PageContext, apps: AuthorizedApplication[]): SafeHtml {
  if (apps.length === 0)
    return html`<p class="empty">No applications have access to your account.</p>`;
  return html`<ul class="app-list">${apps.map(
    (app) => html`<li><div><strong>${app.application.name}</strong>
${app.application.website ? html` <span class="muted">${app.application.website}</span>` : ''}
<p class="muted">Scopes: ${app.scopes.join(', ')} · authorized ${timeElement(app.createdAt, context)}${app.lastUsedAt ? html` · last used ${timeElement(app.lastUsedAt, context)}` : ''}</p></div>
<form method="post" action="/settings/apps/${app.application.id}/revoke" class="inline-form">${csrfField(context)}<button type="submit" class="button danger" aria-label="Revoke access for ${app.application.name}">Revoke</button></form></li>`,
  )}</ul>`;
}

export function registerSettingsRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  async function renderSettings(
    request: FastifyRequest,
    reply: FastifyReply,
    state: { profile?: ProfileValues; errors?: FieldErrors; notice?: string } = {},
    statusCode = 200,
  ) {
    const viewer = requireViewer(request);
    const context = { ...pageContext(request, deps), path: '/settings' };
    const profile = state.profile ?? {
      displayName: viewer.account.displayName,
      note: viewer.account.note,
      emailOnMention: viewer.account.emailOnMention,
      locked: (await findAccountById(deps.database.primary, viewer.account.id))?.locked ?? false,
    };
    const errors = state.errors ?? {};
    const apps = await listAuthorizedApplications(deps.database.primary, viewer.account.id);
    const body = html`<h1>Settings</h1>
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
<p><a href="/settings/blocks">Blocks and mutes</a></p>
<section aria-labelledby="profile-heading" class="card">
<h2 id="profile-heading">Profile</h2>
<form method="post" action="/settings/profile">
${csrfField(context)}
${field('display_name', 'Display name', (d) => html`<input id="display_name" name="display_name" value="${profile.displayName}" maxlength="${MAX_DISPLAY_NAME_LENGTH * 4}"${d}>`, errors, `Up to ${MAX_DISPLAY_NAME_LENGTH} characters.`)}
${field('note', 'Bio', (d) => html`<textarea id="note" name="note" rows="4"${d}>${profile.note}</textarea>`, errors, `Up to ${MAX_NOTE_LENGTH} characters.`)}
<div class="field checkbox"><input type="checkbox" id="email_on_mention" name="email_on_mention" value="on"${profile.emailOnMention ? html` checked` : ''}><label for="email_on_mention">E-mail me when someone mentions me</label></div>
<div class="field checkbox"><input type="checkbox" id="locked" name="locked" value="on" aria-describedby="locked-hint"${profile.locked ? html` checked` : ''}><label for="locked">Approve followers by hand</label></div>
<p class="field-hint" id="locked-hint">People ask to follow you and you accept or reject them on <a href="/follow_requests">Follow requests</a>; your followers-only posts reach only those you accepted. Unticking accepts every pending request.</p>
<button type="submit" class="button primary">Save profile</button>
</form>
</section>
<section aria-labelledby="pictures-heading" class="card">
<h2 id="pictures-heading">Avatar and header</h2>
<form method="post" action="/settings/pictures" enctype="multipart/form-data">
${csrfField(context)}
${field('avatar', 'Avatar', (d) => html`<input type="file" id="avatar" name="avatar" accept="image/jpeg,image/png,image/gif,image/webp,image/avif"${d}>`, errors, 'Cropped to 400×400 around the centre.')}
${field('header', 'Header', (d) => html`<input type="file" id="header" name="header" accept="image/jpeg,image/png,image/gif,image/webp,image/avif"${d}>`, errors, 'Cropped to 1500×500 around the centre.')}
<button type="submit" class="button primary">Save pictures</button>
</form>
</section>
<section aria-labelledby="apps-heading" class="card">
<h2 id="apps-heading">Authorized apps</h2>
${appsSection(context, apps)}
</section>
<section aria-labelledby="password-heading" class="card">
<h2 id="password-heading">Change password</h2>
<form method="post" action="/settings/password">
${csrfField(context)}
${field('current_password', 'Current password', (d) => html`<input type="password" id="current_password" name="current_password" autocomplete="current-password" required${d}>`, errors)}
${field('new_password', 'New password', (d) => html`<input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="8"${d}>`, errors, 'At least 8 characters. You stay signed in here; every other app and session is signed out.')}
<button type="submit" class="button primary">Change password</button>
</form>
</section>
<section aria-labelledby="delete-heading" class="card">
<h2 id="delete-heading">Delete account</h2>
<p>Removes your profile, posts and media here and on other servers; your name stays taken.
<a href="/settings/delete">Delete your account</a></p>
</section>`;
    return sendPage(reply, context, { title: 'Settings', body, noindex: true }, statusCode);
  }

  app.get('/settings', async (request, reply) => {
    if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
    return renderSettings(request, reply);
  });

  app.post<{ Body: Static<typeof ProfileForm> }>(
    '/settings/profile',
    { config: { csrf: 'session' }, schema: { body: ProfileForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const profile: ProfileValues = {
        displayName: request.body.display_name ?? '',
        note: request.body.note ?? '',
        emailOnMention: request.body.email_on_mention === 'on',
        locked: request.body.locked === 'on',
      };
      try {
        const updated = await updateProfile(deps.database, viewer.account.id, profile, {
          requestId: request.id,
        });
        viewer.account = {
          ...viewer.account,
          displayName: updated.displayName,
          note: updated.note,
          emailOnMention: updated.emailOnMention,
        };
      } catch (error) {
        if (!isDomainError(error) || !error.field) throw error;
        return renderSettings(
          request,
          reply,
          { profile, errors: { [error.field]: error.message } },
          422,
        );
      }
      return renderSettings(request, reply, { notice: 'Your profile was saved.' });
    },
  );

  app.post<{ Body: Static<typeof ActionForm> }>(
    '/settings/pictures',
    { config: { csrf: 'session' }, schema: { body: ActionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const accountId = viewer.account.id;
      for (const kind of ['avatar', 'header'] as const) {
        const photo = request.photos.find((p) => p.field === kind);
        if (!photo) continue;
        try {
          await replaceProfileImage(
            deps.mediaStorage,
            { accountId, kind, bytes: photo.bytes },
            (key) => setProfileImage(deps.database, { accountId, kind, key }),
          );
        } catch (error) {
          if (!(error instanceof MediaRejected)) throw error;
          return renderSettings(request, reply, { errors: { [kind]: error.message } }, 422);
        }
      }
      return renderSettings(request, reply, { notice: 'Your pictures were saved.' });
    },
  );

  app.post<{ Body: Static<typeof PasswordForm> }>(
    '/settings/password',
    { config: { csrf: 'session' }, schema: { body: PasswordForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      try {
        const { revokedTokens } = await changePassword(deps.database, {
          accountId: viewer.account.id,
          currentPassword: request.body.current_password ?? '',
          newPassword: request.body.new_password ?? '',
          keepAccessTokenId: viewer.session.accessTokenId,
        });
        request.log.info(
          { event: 'password_changed', accountId: viewer.account.id, revokedTokens },
          'password changed',
        );
        return renderSettings(request, reply, {
          notice: `Your password was changed. ${revokedTokens} other app or session access was signed out.`,
        });
      } catch (error) {
        if (!isDomainError(error)) throw error;
        const fieldName = error.field === 'current_password' ? 'current_password' : 'new_password';
        return renderSettings(request, reply, { errors: { [fieldName]: error.message } }, 422);
      }
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: ActionForm }>(
    '/settings/apps/:id/revoke',
    { config: { csrf: 'session' }, schema: { params: IdParams, body: ActionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await revokeApplicationForAccount(deps.database, {
        accountId: viewer.account.id,
        applicationId: request.params.id,
      });
      return reply.redirect('/settings', 303);
    },
  );
}
