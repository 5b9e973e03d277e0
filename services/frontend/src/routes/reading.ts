/** The pages anyone can read: timelines, profiles, threads, tags, search. */
import {
  accountStatuses,
  findVisibleStatus,
  homeTimeline,
  publicTimeline,
  statusContext,
  tagTimeline,
} from '@murmur/db/timelines';
import { findVisibleAccountByUsername, type LocalAccount } from '@murmur/db/accounts';
import { findTagByName, searchAccounts, searchHashtags, searchStatuses } from '@murmur/db/search';
import { followersOf, followingOf, relationships } from '@murmur/db/follows';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';
import { actionButton } from '../views/layout.js';
import { liveTimeline } from '../views/live.js';
import { liveStreamPath } from './live.js';
import type { PageContext } from '../views/context.js';
import { acctOf, handleOf } from '../views/accounts.js';
import {
  accountCard,
  bioHtml,
  composeForm,
  displayNameOf,
  pager,
  profilePath,
  statusArticle,
  statusList,
  statusPath,
  tagPath,
  avatarImage,
  mediaPath,
} from '../views/status.js';
import { renderRss } from './rss.js';
import { PAGE_SIZE, PageQuery, StatusParams, UsernameParams, pageFrom } from './schemas.js';

const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) });
const TagParams = Type.Object({ tag: Type.String({ minLength: 1, maxLength: 100 }) });

/**
 * The public timeline's live stream: a signed-in visitor's through the website's relay, so their
 * blocks, mutes and filters apply as on the page; anyone else's straight from the API.
 */
function publicStreamPath(context: PageContext): string {
  return context.viewer ? liveStreamPath('public') : '/api/v1/streaming/public/local';
}

export function requireViewer(request: FastifyRequest) {
  if (!request.viewer) throw new HttpError(401, 'Please sign in to see this page.');
  return request.viewer;
}

async function requireAccount(deps: FrontendDependencies, username: string): Promise<LocalAccount> {
  const account = await findVisibleAccountByUsername(deps.database.replica, username);
  if (!account) throw new HttpError(404, 'There is nobody with that name here.');
  return account;
}

export function registerReadingRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  const db = () => deps.database.replica;

  app.get<{ Querystring: PageQuery }>(
    '/',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      const viewerId = request.viewer?.account.id ?? null;
      const statuses = await publicTimeline(db(), pageFrom(request.query), viewerId);
      const paged = Boolean(request.query.max_id || request.query.min_id);
      const body = html`
${context.viewer ? html`${composeForm(context)}<p class="hint">Posts from people you follow are on <a href="/home">your home timeline</a>.</p>` : html`<section class="welcome"><h1>Murmur</h1><p>Short posts from the people here. Read freely; <a href="/auth/sign_up">sign up</a> or <a href="/auth/sign_in">sign in</a> to post, follow and favourite.</p></section>`}
<h2>Public posts</h2>
${paged ? statusList(statuses, context, 'Nothing has been posted yet.') : liveTimeline(publicStreamPath(context), statusList(statuses, context, 'Nothing has been posted yet.'), context)}
${pager('/', statuses, { limit: PAGE_SIZE, paged })}`;
      return sendPage(reply, context, { title: 'Public posts', body });
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/home',
    { schema: { querystring: PageQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect('/auth/sign_in', 303);
      const context = pageContext(request, deps);
      const statuses = await homeTimeline(
        deps.database,
        request.viewer.account.id,
        pageFrom(request.query),
      );
      const paged = Boolean(request.query.max_id || request.query.min_id);
      const homeList = statusList(
        statuses,
        context,
        'Your home timeline is empty. Follow people to see their posts here.',
      );
      const body = html`${composeForm(context)}
<h1>Home</h1>
${paged ? homeList : liveTimeline(liveStreamPath('home'), homeList, context)}
${pager('/home', statuses, { limit: PAGE_SIZE, paged })}`;
      return sendPage(reply, context, { title: 'Home', body });
    },
  );

  // `/@alice` is the profile; `/@alice.rss` its feed (usernames never contain a dot).
  app.get<{ Params: UsernameParams; Querystring: PageQuery }>(
    '/@:username',
    { schema: { params: UsernameParams, querystring: PageQuery } },
    async (request, reply) => {
      const { username } = request.params;
      if (username.endsWith('.rss')) {
        const account = await requireAccount(deps, username.slice(0, -4));
        const xml = await renderRss(deps, account);
        return reply
          .type('application/rss+xml; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(xml);
      }
      const account = await requireAccount(deps, username);
      const context = pageContext(request, deps);
      const viewer = context.viewer;
      const statuses = await accountStatuses(
        db(),
        account.id,
        pageFrom(request.query),
        viewer?.id ?? null,
      );
      let followButton = html``;
      if (viewer && viewer.id !== account.id) {
        const [relation] = await relationships(db(), viewer.id, [account.id]);
        const follow = relation?.blocking
          ? html``
          : relation?.following
            ? actionButton(context, `${profilePath(account.username)}/unfollow`, 'Unfollow', {
                className: 'button',
              })
            : relation?.requested
              ? // Pressing it withdraws the request, as Mastodon's "Cancel follow request".
                actionButton(context, `${profilePath(account.username)}/unfollow`, 'Requested', {
                  className: 'button',
                  pressed: true,
                })
              : actionButton(
                  context,
                  `${profilePath(account.username)}/follow`,
                  account.locked ? 'Request to follow' : 'Follow',
                  { className: 'button primary' },
                );
        // Block and mute (routes/safety.ts), labelled with whom they act on.
        const toggle = (on: boolean, verb: 'block' | 'mute', label: string, undo: string) =>
          actionButton(
            context,
            `${profilePath(account.username)}/${on ? `un${verb}` : verb}`,
            on ? undo : label,
            {
              ariaLabel: `${on ? undo : label} @${account.username}`,
            },
          );
        followButton = html`<div class="profile-actions">${follow}
${toggle(relation?.muting ?? false, 'mute', 'Mute', 'Unmute')}
${toggle(relation?.blocking ?? false, 'block', 'Block', 'Unblock')}</div>`;
      }
      const paged = Boolean(request.query.max_id || request.query.min_id);
      const feedUrl = `${profilePath(account.username)}.rss`;
      const header = account.headerKey
        ? html`<img class="profile-header" src="${mediaPath(account.headerKey)}" alt="" width="1500" height="500">`
        : '';
      const body = html`<section class="profile">
${header}<div class="profile-head">
${avatarImage(account, 96)}<div><h1>${displayNameOf(account)}</h1><p class="handle">@${account.username}</p></div>
${followButton}
</div>
${account.locked ? html`<p class="locked-note">This account approves its followers by hand.</p>` : ''}
<div class="bio">${bioHtml(account.note)}</div>
<dl class="counts">
<div><dt>Posts</dt><dd>${account.statusesCount}</dd></div>
<div><dt><a href="${profilePath(account.username)}/following">Following</a></dt><dd>${account.followingCount}</dd></div>
<div><dt><a href="${profilePath(account.username)}/followers">Followers</a></dt><dd>${account.followersCount}</dd></div>
</dl>
<p class="feed-link"><a href="${feedUrl}">RSS feed</a></p>
</section>
<h2>Posts</h2>
${statusList(statuses, context, 'No posts yet.')}
${pager(profilePath(account.username), statuses, { limit: PAGE_SIZE, paged })}`;
      return sendPage(reply, context, {
        title: `${displayNameOf(account)} (@${account.username})`,
        body,
        head: html`<link rel="alternate" type="application/rss+xml" title="Posts by @${account.username}" href="${feedUrl}">`,
      });
    },
  );

  for (const kind of ['followers', 'following'] as const) {
    app.get<{ Params: UsernameParams; Querystring: PageQuery }>(
      `/@:username/${kind}`,
      { schema: { params: UsernameParams, querystring: PageQuery } },
      async (request, reply) => {
        const account = await requireAccount(deps, request.params.username);
        const context = pageContext(request, deps);
        const page = await (kind === 'followers' ? followersOf : followingOf)(
          db(),
          account.id,
          pageFrom(request.query),
        );
        const title =
          kind === 'followers'
            ? `People following @${account.username}`
            : `People @${account.username} follows`;
        const older =
          page.accounts.length >= PAGE_SIZE && page.lastCursor
            ? html`<nav class="pager" aria-label="Pages"><a rel="next" href="${profilePath(account.username)}/${kind}?max_id=${page.lastCursor}">Older →</a></nav>`
            : '';
        const body = html`<h1>${title}</h1>
${page.accounts.length ? html`<ul class="account-list">${page.accounts.map(accountCard)}</ul>` : html`<p class="empty">Nobody yet.</p>`}
${older}`;
        return sendPage(reply, context, { title, body });
      },
    );
  }

  app.get<{ Params: StatusParams }>(
    '/@:username/:id',
    { schema: { params: StatusParams } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      const viewerId = context.viewer?.id ?? null;
      const status = await findVisibleStatus(db(), request.params.id, viewerId);
      if (
        !status ||
        acctOf(status.account).toLowerCase() !== request.params.username.toLowerCase()
      ) {
        throw new HttpError(404, 'We could not find that post.');
      }
      if (status.reblog) return reply.redirect(statusPath(status.reblog), 301);
      const thread = (await statusContext(db(), status.id, viewerId)) ?? {
        ancestors: [],
        descendants: [],
      };
      const body = html`<h1 class="visually-hidden">Post by ${handleOf(status.account)}</h1>
${thread.ancestors.length ? html`<div class="thread ancestors">${thread.ancestors.map((s) => statusArticle(s, context))}</div>` : ''}
${statusArticle(status, context, { focused: true })}
${context.viewer ? composeForm(context, { inReplyTo: status }) : html`<p class="hint"><a href="/auth/sign_in">Sign in</a> to reply.</p>`}
<h2>Replies</h2>
${thread.descendants.length ? html`<div class="thread replies">${thread.descendants.map((s) => statusArticle(s, context))}</div>` : html`<p class="empty">No replies yet.</p>`}`;
      return sendPage(reply, context, {
        title: `${handleOf(status.account)}: ${status.text.slice(0, 60)}`,
        body,
      });
    },
  );

  app.get<{ Params: Static<typeof TagParams>; Querystring: PageQuery }>(
    '/tags/:tag',
    { schema: { params: TagParams, querystring: PageQuery } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      const tag = await findTagByName(db(), request.params.tag);
      const statuses = tag
        ? await tagTimeline(db(), tag.name, pageFrom(request.query), context.viewer?.id ?? null)
        : [];
      const shown = tag?.displayName ?? request.params.tag;
      const paged = Boolean(request.query.max_id || request.query.min_id);
      const body = html`<h1>#${shown}</h1>
${statusList(statuses, context, `No posts with #${shown} yet.`)}
${tag ? pager(tagPath(tag.name), statuses, { limit: PAGE_SIZE, paged }) : ''}`;
      return sendPage(reply, context, { title: `#${shown}`, body });
    },
  );

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/search',
    { schema: { querystring: SearchQuery } },
    async (request, reply) => {
      const context = pageContext(request, deps);
      const q = (request.query.q ?? '').trim();
      const viewerId = context.viewer?.id ?? null;
      const [accounts, tags, statuses] = q
        ? await Promise.all([
            searchAccounts(db(), q, { limit: 10 }),
            searchHashtags(db(), q, { limit: 10 }),
            searchStatuses(db(), q, { limit: PAGE_SIZE, viewerId }),
          ])
        : [[], [], []];
      const results = q
        ? html`<section aria-labelledby="people-heading"><h2 id="people-heading">People</h2>
${accounts.length ? html`<ul class="account-list">${accounts.map(accountCard)}</ul>` : html`<p class="empty">No people found.</p>`}</section>
<section aria-labelledby="tags-heading"><h2 id="tags-heading">Hashtags</h2>
${tags.length ? html`<ul class="tag-list">${tags.map((t) => html`<li><a href="${tagPath(t.name)}">#${t.displayName}</a></li>`)}</ul>` : html`<p class="empty">No hashtags found.</p>`}</section>
<section aria-labelledby="posts-heading"><h2 id="posts-heading">Posts</h2>
${statusList(statuses, context, 'No posts found.')}</section>`
        : html`<p class="hint">Search for people by name, hashtags, or words in posts.</p>`;
      const body = html`<h1>Search</h1>
<form method="get" action="/search" class="search-page-form" role="search">
<label for="search-q">Search for</label>
<input id="search-q" type="search" name="q" value="${q}" maxlength="200">
<button type="submit" class="button">Search</button>
</form>
${results}`;
      return sendPage(reply, context, { title: q ? `Search: ${q}` : 'Search', body });
    },
  );
}
