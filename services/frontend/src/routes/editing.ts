/** Editing one's own post, and voting in a poll: forms that work without JavaScript. */
import { isDomainError } from '@murmur/db';
import { editStatus, voteInPoll } from '@murmur/db/statuses';
import { findVisibleStatus } from '@murmur/db/timelines';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, redirectBack, sendPage, type FrontendDependencies } from '../pages.js';
import { editForm, statusArticle, statusPath, type EditedAttachment } from '../views/status.js';
import { requireViewer } from './reading.js';
import { FormBase, IdParams } from './schemas.js';

const EditForm = Type.Object({
  ...FormBase,
  status: Type.Optional(Type.String({ maxLength: 100_000 })),
  spoiler_text: Type.Optional(Type.String({ maxLength: 10_000 })),
  // Each photo's id and description, in order, and the ids of those to remove.
  media_id: Type.Optional(FormList({ maxLength: 30 })),
  media_description: Type.Optional(FormList({ maxLength: 10_000 })),
  remove_media: Type.Optional(FormList({ maxLength: 30 })),
});

/** A form field that may be repeated: one value comes as a string, several as a list. */
function FormList(item: { maxLength: number }) {
  return Type.Union([Type.String(item), Type.Array(Type.String(item), { maxItems: 4 })]);
}

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const VoteForm = Type.Object({
  ...FormBase,
  choices: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 3 }),
      Type.Array(Type.String({ maxLength: 3 }), { maxItems: 10 }),
    ]),
  ),
});

const session = { csrf: 'session' } as const;

/** Problems a person can fix in the form: shown next to it, with what they typed. */
const FIXABLE = ['TextEmpty', 'TextTooLong', 'InvalidField'];

export function registerEditingRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  async function ownStatus(request: FastifyRequest<{ Params: Static<typeof IdParams> }>) {
    const viewer = requireViewer(request);
    const status = await findVisibleStatus(
      deps.database.primary,
      request.params.id,
      viewer.account.id,
    );
    if (!status || status.reblog !== null) {
      throw new HttpError(404, 'That post does not exist or was deleted.');
    }
    if (status.account.id !== viewer.account.id) {
      throw new HttpError(403, 'You can only edit your own posts.');
    }
    return status;
  }

  function editPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: Awaited<ReturnType<typeof ownStatus>>,
    form: { text: string; spoilerText: string; media: EditedAttachment[]; error?: string | null },
    code = 200,
  ) {
    const context = pageContext(request, deps);
    const body = html`<h1>Edit your post</h1>
${statusArticle(status, context)}
${editForm(context, status, form)}
<p><a href="${statusPath(status)}">Cancel</a></p>`;
    return sendPage(reply, context, { title: 'Edit post', body, noindex: true }, code);
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    '/statuses/:id/edit',
    { schema: { params: IdParams } },
    async (request, reply) => {
      const status = await ownStatus(request);
      return editPage(request, reply, status, {
        text: status.text,
        spoilerText: status.spoilerText,
        media: status.mediaAttachments.map((m) => ({ id: m.id, description: m.description ?? '' })),
      });
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EditForm> }>(
    '/statuses/:id/edit',
    { config: session, schema: { params: IdParams, body: EditForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const text = request.body.status ?? '';
      const spoilerText = request.body.spoiler_text ?? '';
      const current = await ownStatus(request);
      const descriptions = listOf(request.body.media_description);
      const media = listOf(request.body.media_id).map((id, i) => ({
        id,
        description: descriptions[i] ?? '',
      }));
      const removed = new Set(listOf(request.body.remove_media));
      const kept = media.filter((m) => !removed.has(m.id));
      // The form has no "sensitive" box: a post marked sensitive without a warning stays so;
      // otherwise the warning decides, as when posting.
      const sensitive =
        (current.sensitive && current.spoilerText.length === 0) || spoilerText.trim().length > 0;
      try {
        const edited = await editStatus(
          deps.database,
          {
            accountId: viewer.account.id,
            statusId: request.params.id,
            text,
            spoilerText,
            sensitive,
            // A form without photos (the post had none) leaves the attachments as they are.
            ...(media.length === 0
              ? {}
              : { mediaIds: kept.map((m) => m.id), mediaAttributes: kept }),
            requestId: request.id,
          },
          { maxCharacters: deps.config.maxStatusCharacters },
        );
        return reply.redirect(statusPath(edited), 303);
      } catch (error) {
        if (!isDomainError(error) || !FIXABLE.includes(error.code)) throw error;
        const message =
          error.code === 'TextEmpty'
            ? 'Write something before saving.'
            : error.message.replace(/^Validation failed: /, '');
        return editPage(request, reply, current, { text, spoilerText, media, error: message }, 422);
      }
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VoteForm> }>(
    '/polls/:id/votes',
    { config: session, schema: { params: IdParams, body: VoteForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const given = request.body.choices ?? [];
      const choices = (Array.isArray(given) ? given : [given]).map((c) =>
        /^\d{1,2}$/.test(c) ? Number(c) : -1,
      );
      try {
        await voteInPoll(deps.database, {
          accountId: viewer.account.id,
          pollId: request.params.id,
          choices,
          requestId: request.id,
        });
      } catch (error) {
        if (isDomainError(error, 'InvalidField')) {
          throw new HttpError(422, error.message.replace(/^Validation failed: /, ''));
        }
        throw error;
      }
      return redirectBack(reply, request.body.return_to);
    },
  );
}
