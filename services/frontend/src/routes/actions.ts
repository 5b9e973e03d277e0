/**
 * What a signed-in person does: post, reply, delete, favourite, boost, bookmark, follow. Every
 * one is a POST with CSRF.
 */
import { isDomainError } from '@murmur/db';
import {
  bookmarkStatus,
  createStatus,
  deleteStatus,
  favouriteStatus,
  getVisibleStatus,
  hydrateStatuses,
  reblogStatus,
  VISIBILITIES,
  unbookmarkStatus,
  unfavouriteStatus,
  unreblogStatus,
} from '@murmur/db/statuses';
import { findAccountByUsername } from '@murmur/db/accounts';
import { followAccount, unfollowAccount } from '@murmur/db/follows';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { profilePath } from '@murmur/service-kit/public-urls';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import { csrfField } from '../views/layout.js';
import { composeForm, statusArticle, statusPath, type PollFields } from '../views/status.js';
import { PhotoProblem, uploadPhotos } from './photos.js';
import { requireViewer } from './reading.js';
import { ActionForm, FormBase, IdParams, UsernameParams } from './schemas.js';

const ComposeForm = Type.Object({
  ...FormBase,
  status: Type.Optional(Type.String({ maxLength: 100_000 })),
  in_reply_to_id: Type.Optional(Type.String({ pattern: '^[0-9]{0,19}$' })),
  alt_1: Type.Optional(Type.String({ maxLength: 1500 })),
  alt_2: Type.Optional(Type.String({ maxLength: 1500 })),
  alt_3: Type.Optional(Type.String({ maxLength: 1500 })),
  alt_4: Type.Optional(Type.String({ maxLength: 1500 })),
  spoiler_text: Type.Optional(Type.String({ maxLength: 10_000 })),
  visibility: Type.Optional(Type.Union(VISIBILITIES.map((v) => Type.Literal(v)))),
  poll_option_1: Type.Optional(Type.String({ maxLength: 1000 })),
  poll_option_2: Type.Optional(Type.String({ maxLength: 1000 })),
  poll_option_3: Type.Optional(Type.String({ maxLength: 1000 })),
  poll_option_4: Type.Optional(Type.String({ maxLength: 1000 })),
  poll_expires_in: Type.Optional(Type.String({ pattern: '^[0-9]{1,8}$' })),
  poll_multiple: Type.Optional(Type.Literal('true')),
});

/** The poll fields as typed: every option box (blank ones included), the length, the choice kind. */
function pollFieldsOf(body: Static<typeof ComposeForm>): PollFields {
  const { poll_option_1, poll_option_2, poll_option_3, poll_option_4 } = body;
  return {
    options: [poll_option_1, poll_option_2, poll_option_3, poll_option_4].map((o) => o ?? ''),
    expiresIn: Number(body.poll_expires_in ?? 24 * 60 * 60),
    multiple: body.poll_multiple === 'true',
  };
}

const session = { csrf: 'session' } as const;

export function registerActionRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  app.post<{ Body: Static<typeof ComposeForm> }>(
    '/statuses',
    { config: session, schema: { body: ComposeForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const text = request.body.status ?? '';
      const spoilerText = request.body.spoiler_text ?? '';
      const visibility = request.body.visibility ?? 'public';
      const inReplyToId = request.body.in_reply_to_id || null;
      const pollTyped = pollFieldsOf(request.body);
      // Only the boxes filled in are options; none filled in is no poll.
      const pollOptions = pollTyped.options.filter((o) => o.trim().length > 0);
      const poll =
        pollOptions.length > 0
          ? { options: pollOptions, expiresIn: pollTyped.expiresIn, multiple: pollTyped.multiple }
          : null;
      const { alt_1, alt_2, alt_3, alt_4 } = request.body;
      const altTexts = { alt_1, alt_2, alt_3, alt_4 };
      try {
        const mediaIds = await uploadPhotos(deps, {
          accountId: viewer.account.id,
          photos: request.photos,
          altTexts,
          requestId: request.id,
        });
        const status = await createStatus(
          deps.database,
          {
            accountId: viewer.account.id,
            text,
            spoilerText,
            visibility,
            inReplyToId,
            mediaIds,
            poll,
            requestId: request.id,
          },
          { maxCharacters: deps.config.maxStatusCharacters },
        );
        return reply.redirect(
          inReplyToId ? `${profilePath(viewer.account.username)}/${status.id}` : '/home',
          303,
        );
      } catch (error) {
        if (
          !(error instanceof PhotoProblem) &&
          (!isDomainError(error) ||
            !['TextEmpty', 'TextTooLong', 'InvalidField'].includes(error.code))
        )
          throw error;
        // Re-render the form with the message next to the field and the text as typed.
        const context = { ...pageContext(request, deps), path: '/home' };
        const inReplyTo = inReplyToId
          ? ((await hydrateStatuses(deps.database.replica, [inReplyToId], viewer.account.id))[0] ??
            null)
          : null;
        const message =
          isDomainError(error) && error.code === 'TextEmpty'
            ? 'Write something before posting.'
            : error.message.replace(/^Validation failed: /, '');
        const body = html`<h1>${inReplyTo ? 'Reply' : 'New post'}</h1>
${inReplyTo ? statusArticle(inReplyTo, context) : ''}
${composeForm(context, {
  text,
  spoilerText,
  visibility,
  error: message,
  inReplyTo,
  altTexts,
  poll: pollTyped,
})}`;
        return sendPage(reply, context, { title: 'Fix your post', body }, 422);
      }
    },
  );

  for (const [action, operation] of [
    ['favourite', favouriteStatus],
    ['unfavourite', unfavouriteStatus],
    ['bookmark', bookmarkStatus],
    ['unbookmark', unbookmarkStatus],
    ['reblog', reblogStatus],
    ['unreblog', unreblogStatus],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: ActionForm }>(
      `/statuses/:id/${action}`,
      { config: session, schema: { params: IdParams, body: ActionForm } },
      async (request, reply) => {
        const viewer = requireViewer(request);
        await operation(deps.database, {
          accountId: viewer.account.id,
          statusId: request.params.id,
          requestId: request.id,
        });
        return redirectBack(reply, request.body.return_to);
      },
    );
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    '/statuses/:id/delete',
    { schema: { params: IdParams } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const row = await getVisibleStatus(
        deps.database.replica,
        request.params.id,
        viewer.account.id,
      );
      if (row.accountId !== viewer.account.id)
        throw new HttpError(403, 'You can only delete your own posts.');
      const [status] = await hydrateStatuses(deps.database.replica, [row.id], viewer.account.id);
      const context = pageContext(request, deps);
      const body = html`<h1>Delete this post?</h1>
${status ? statusArticle(status, context) : ''}
<form method="post" action="/statuses/${row.id}/delete" class="confirm">
${csrfField(context)}
<p>This cannot be undone.</p>
<button type="submit" class="button danger">Delete post</button>
<a href="${status ? statusPath(status) : '/'}" class="button">Cancel</a>
</form>`;
      return sendPage(reply, context, { title: 'Delete post', body, noindex: true });
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: ActionForm }>(
    '/statuses/:id/delete',
    { config: session, schema: { params: IdParams, body: ActionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await deleteStatus(deps.database, {
        accountId: viewer.account.id,
        statusId: request.params.id,
        requestId: request.id,
      });
      return reply.redirect(`${profilePath(viewer.account.username)}`, 303);
    },
  );

  for (const [action, operation] of [
    ['follow', followAccount],
    ['unfollow', unfollowAccount],
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
}
