/**
 * Lists on the website: the signed-in person's lists (create one), a list's page (its timeline,
 * its members with a remove button, adding an account they follow, rename, replies policy,
 * exclusive, delete). Forms POST with CSRF; a form that fails comes back with what was typed.
 */
import { isDomainError } from '@murmur/db';
import {
  addListAccounts,
  createList,
  deleteList,
  findOwnList,
  listMembers,
  listsOf,
  listTimeline,
  removeListAccounts,
  updateList,
  type ListView,
} from '@murmur/db/feeds';
import { followingOf } from '@murmur/db/follows';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import type { PageContext } from '../views/context.js';
import { actionButton, csrfField } from '../views/layout.js';
import { displayNameOf, pager, profileLink, statusList } from '../views/status.js';
import { requireViewer } from './reading.js';
import { FormBase, IdParams, PAGE_SIZE, PageQuery, pageFrom } from './schemas.js';
import { handleOf } from '../views/accounts.js';

const session = { csrf: 'session' } as const;

const ListForm = Type.Object({
  ...FormBase,
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  replies_policy: Type.Optional(Type.String({ maxLength: 20 })),
  exclusive: Type.Optional(Type.String({ maxLength: 10 })),
});
type ListForm = Static<typeof ListForm>;

const MemberForm = Type.Object({
  ...FormBase,
  account_id: Type.Optional(Type.String({ maxLength: 20 })),
});

const MemberParams = Type.Object({
  id: IdParams.properties.id,
  accountId: IdParams.properties.id,
});

const POLICIES = [
  ['list', 'Replies to members of the list'],
  ['followed', 'Replies to anyone I follow'],
  ['none', 'No replies to others'],
] as const;

/** Title, replies policy and exclusive: the fields of both the create and the settings form. */
function listFields(
  context: PageContext,
  values: { title: string; repliesPolicy: string; exclusive: boolean },
  error: string | null,
  prefix: string,
): SafeHtml {
  const errorId = `${prefix}-title-error`;
  return html`${csrfField(context)}
<div class="field">
<label for="${prefix}-title">Title</label>
<input id="${prefix}-title" name="title" value="${values.title}" maxlength="256" required${error ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}>
${error ? html`<p class="field-error" id="${errorId}" role="alert">${error}</p>` : ''}
</div>
<div class="field">
<label for="${prefix}-replies">Show replies</label>
<select id="${prefix}-replies" name="replies_policy">${POLICIES.map(
    ([value, label]) =>
      html`<option value="${value}"${values.repliesPolicy === value ? html` selected` : ''}>${label}</option>`,
  )}</select>
</div>
<div class="field checkbox"><input type="checkbox" id="${prefix}-exclusive" name="exclusive" value="on"${values.exclusive ? html` checked` : ''}><label for="${prefix}-exclusive">Hide these accounts’ posts from my home timeline</label></div>`;
}

function formValues(body: ListForm) {
  return {
    title: body.title ?? '',
    repliesPolicy: body.replies_policy ?? 'list',
    exclusive: body.exclusive === 'on',
  };
}

/** A validation error of a list form (its message without Rails' prefix), or rethrows. */
function formError(error: unknown): string {
  if (!isDomainError(error) || error.code !== 'InvalidField') throw error;
  return error.message.replace(/^Validation failed: /, '');
}

export function registerListRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  const renderLists = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: ReturnType<typeof formValues>; error: string | null },
    statusCode = 200,
  ) => {
    const viewer = requireViewer(request);
    const context = { ...pageContext(request, deps), path: '/lists' };
    const lists = await listsOf(deps.database.primary, viewer.account.id);
    const items = lists.map(
      (list) =>
        html`<li><a href="/lists/${list.id}">${list.title}</a>${list.exclusive ? html` <span class="hint">(not in home)</span>` : ''}</li>`,
    );
    const body = html`<h1>Lists</h1>
${lists.length ? html`<ul class="lists">${items}</ul>` : html`<p class="empty">No lists yet. A list gathers some of the accounts you follow in a timeline of their own; only you see it.</p>`}
<section aria-labelledby="new-list-heading" class="card">
<h2 id="new-list-heading">New list</h2>
<form method="post" action="/lists">
${listFields(context, form.values, form.error, 'new-list')}
<button type="submit" class="button primary">Create list</button>
</form>
</section>`;
    return sendPage(reply, context, { title: 'Lists', body, noindex: true }, statusCode);
  };

  app.get('/lists', async (request, reply) => {
    if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
    return renderLists(request, reply, {
      values: { title: '', repliesPolicy: 'list', exclusive: false },
      error: null,
    });
  });

  app.post<{ Body: ListForm }>(
    '/lists',
    { config: session, schema: { body: ListForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const values = formValues(request.body);
      try {
        const list = await createList(deps.database, {
          accountId: viewer.account.id,
          title: values.title,
          repliesPolicy: values.repliesPolicy,
          exclusive: values.exclusive,
        });
        return reply.redirect(`/lists/${list.id}`, 303);
      } catch (error) {
        return renderLists(request, reply, { values, error: formError(error) }, 422);
      }
    },
  );

  const renderList = async (
    request: FastifyRequest<{ Params: IdParams; Querystring: PageQuery }>,
    reply: FastifyReply,
    form: { values: ReturnType<typeof formValues>; error: string | null } | null,
    statusCode = 200,
  ) => {
    const viewer = requireViewer(request);
    const context = pageContext(request, deps);
    const executor = deps.database.primary;
    const list: ListView = await findOwnList(executor, viewer.account.id, request.params.id);
    const [statuses, members, following] = await Promise.all([
      listTimeline(executor, viewer.account.id, list.id, pageFrom(request.query)),
      listMembers(executor, viewer.account.id, list.id, { limit: 0 }),
      followingOf(executor, viewer.account.id, { limit: 80 }),
    ]);
    const memberIds = new Set(members.accounts.map((a) => a.id));
    const candidates = following.accounts.filter((a) => !memberIds.has(a.id));
    const memberItems = members.accounts.map(
      (account) =>
        html`<li class="member">${profileLink(account, html`${displayNameOf(account)} <span class="handle">${handleOf(account)}</span>`)} ${actionButton(context, `/lists/${list.id}/members/${account.id}/remove`, 'Remove', { className: 'link-button', ariaLabel: `Remove @${account.username} from ${list.title}` })}</li>`,
    );
    const addForm = candidates.length
      ? html`<form method="post" action="/lists/${list.id}/members">${csrfField(context)}
<div class="field"><label for="add-member">Add an account you follow</label>
<select id="add-member" name="account_id">${candidates.map((a) => html`<option value="${a.id}">${displayNameOf(a)} (@${a.username})</option>`)}</select></div>
<button type="submit" class="button">Add to list</button></form>`
      : html`<p class="hint">Every account you follow is in this list already, or you follow nobody yet.</p>`;
    const values = form?.values ?? {
      title: list.title,
      repliesPolicy: list.repliesPolicy,
      exclusive: list.exclusive,
    };
    const body = html`<h1>${list.title}</h1>
<p><a href="/lists">All lists</a></p>
<section aria-labelledby="list-posts-heading">
<h2 id="list-posts-heading">Posts</h2>
${statusList(statuses, context, 'Nothing here yet: posts of the accounts in this list will show here.')}
${pager(`/lists/${list.id}`, statuses, { limit: PAGE_SIZE, paged: Boolean(request.query.max_id || request.query.min_id) })}
</section>
<section aria-labelledby="list-members-heading" class="card">
<h2 id="list-members-heading">Accounts in this list</h2>
${memberItems.length ? html`<ul class="members">${memberItems}</ul>` : html`<p class="empty">No accounts in this list yet.</p>`}
${addForm}
</section>
<section aria-labelledby="list-settings-heading" class="card">
<h2 id="list-settings-heading">Settings</h2>
<form method="post" action="/lists/${list.id}">
${listFields(context, values, form?.error ?? null, 'edit-list')}
<button type="submit" class="button">Save</button>
</form>
${actionButton(context, `/lists/${list.id}/delete`, 'Delete this list', { className: 'button danger' })}
</section>`;
    return sendPage(reply, context, { title: list.title, body, noindex: true }, statusCode);
  };

  app.get<{ Params: IdParams; Querystring: PageQuery }>(
    '/lists/:id',
    { schema: { params: IdParams, querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      return renderList(request, reply, null);
    },
  );

  app.post<{ Params: IdParams; Querystring: PageQuery; Body: ListForm }>(
    '/lists/:id',
    { config: session, schema: { params: IdParams, body: ListForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const values = formValues(request.body);
      try {
        await updateList(deps.database, {
          accountId: viewer.account.id,
          listId: request.params.id,
          title: values.title,
          repliesPolicy: values.repliesPolicy,
          exclusive: values.exclusive,
        });
        return reply.redirect(`/lists/${request.params.id}`, 303);
      } catch (error) {
        return renderList(request, reply, { values, error: formError(error) }, 422);
      }
    },
  );

  app.post<{ Params: IdParams }>(
    '/lists/:id/delete',
    { config: session, schema: { params: IdParams } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await deleteList(deps.database, { accountId: viewer.account.id, listId: request.params.id });
      return reply.redirect('/lists', 303);
    },
  );

  app.post<{ Params: IdParams; Body: Static<typeof MemberForm> }>(
    '/lists/:id/members',
    { config: session, schema: { params: IdParams, body: MemberForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await addListAccounts(deps.database, {
        accountId: viewer.account.id,
        listId: request.params.id,
        accountIds: request.body.account_id ? [request.body.account_id] : [],
      });
      return reply.redirect(`/lists/${request.params.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof MemberParams> }>(
    '/lists/:id/members/:accountId/remove',
    { config: session, schema: { params: MemberParams } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await removeListAccounts(deps.database, {
        accountId: viewer.account.id,
        listId: request.params.id,
        accountIds: [request.params.accountId],
      });
      return reply.redirect(`/lists/${request.params.id}`, 303);
    },
  );
}
