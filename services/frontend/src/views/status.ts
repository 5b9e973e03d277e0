import type { AccountView } from '@murmur/db/accounts';
import type { MediaView, PollView, StatusView, Visibility } from '@murmur/db/statuses';
import { MAX_CODE_UNITS_PER_CHARACTER, renderPlainTextHtml, renderStatusHtml } from '@murmur/text';
import { html, trustedHtml, type SafeHtml } from '@murmur/service-kit/web-edge';
import { profilePath, tagPath } from '@murmur/service-kit/public-urls';
import { exactTime, relativeTime } from '../time.js';
import { accountHref, handleOf, isExternalProfile, statusHref } from './accounts.js';
import type { PageContext } from './context.js';
import { actionButton, csrfField } from './layout.js';

// The public URL scheme is service-kit's (shared with the API's `url` fields, e-mails, federation).
export { profilePath, tagPath };
/** A post's page here (remote posts included: see `statusHref`). */
export const statusPath = statusHref;

export function displayNameOf(account: { displayName: string; username: string }): string {
  return account.displayName.trim() || account.username;
}

export function timeElement(date: Date, context: PageContext): SafeHtml {
  return html`<time datetime="${date.toISOString()}" title="${exactTime(date)}">${relativeTime(date, context.now)}</time>`;
}

/**
 * Post text as HTML: mentions of existing accounts, hashtags and links become links. A remote
 * post is shown as its server wrote it, in the HTML sanitized on arrival with Mastodon's allow-list
 * (`sanitizeRemoteHtml` in @murmur/federation: no scripts, no attributes but links' and classes,
 * only http(s) links, opened without referrer); the CSP forbids inline scripts besides.
 */
export function statusContent(status: StatusView): SafeHtml {
  if (status.account.domain && status.contentHtml) return trustedHtml(status.contentHtml);
  const known = new Map(status.mentions.map((m) => [m.username.toLowerCase(), m.username]));
  return trustedHtml(
    renderStatusHtml(status.text, {
      profileUrl: (username) => {
        const found = known.get(username.toLowerCase());
        return found ? profilePath(found) : null;
      },
      tagUrl: tagPath,
    }),
  );
}

/**
 * A link to an account's profile: here, or on its own server for a remote account (marked as
 * leaving the site, and opened without referrer as links in remote posts are).
 */
export function profileLink(
  account: AccountView,
  content: SafeHtml | string,
  className?: string,
): SafeHtml {
  const classAttribute = className ? html` class="${className}"` : '';
  return isExternalProfile(account)
    ? html`<a${classAttribute} href="${accountHref(account)}" rel="nofollow noopener noreferrer">${content}</a>`
    : html`<a${classAttribute} href="${accountHref(account)}">${content}</a>`;
}

/** A remote post's link to where it was published (its page on its author's server). */
function originalLink(status: StatusView): SafeHtml {
  const original = status.account.domain ? (status.url ?? status.uri) : null;
  if (!original || !/^https?:\/\//.test(original)) return html``;
  return html` <a class="original-link" href="${original}" rel="nofollow noopener noreferrer">· original on ${status.account.domain}</a>`;
}

/** Media files are served by the API at the same origin (`/media/<storage key>`). */
export const mediaPath = (key: string) => `/media/${key}`;

/** An account's avatar, or the default one. */
export function avatarImage(account: AccountView, size = 48): SafeHtml {
  const src = account.avatarKey ? mediaPath(account.avatarKey) : '/avatars/original/missing.png';
  return html`<img class="avatar" src="${src}" alt="" width="${size}" height="${size}" loading="lazy">`;
}

/**
 * A post's photos: each preview links to its original and carries its description as `alt`. A
 * sensitive post hides them behind a disclosure the reader opens (no JavaScript needed).
 */
function mediaGallery(status: StatusView): SafeHtml {
  const ready = status.mediaAttachments.filter(
    (m): m is MediaView & { originalKey: string; smallKey: string } =>
      m.originalKey !== null && m.smallKey !== null,
  );
  const links = remoteFileLinks(status);
  if (ready.length === 0) return links;
  const images = html`<div class="media-gallery media-${ready.length}">${ready.map(
    (m) =>
      html`<a class="media" href="${mediaPath(m.originalKey)}"><img src="${mediaPath(m.smallKey)}" alt="${m.description ?? ''}" width="${m.meta?.small?.width ?? ''}" height="${m.meta?.small?.height ?? ''}" loading="lazy"></a>`,
  )}</div>`;
  const shown = status.sensitive
    ? html`<details class="sensitive-media"><summary>Sensitive media: show</summary>${images}</details>`
    : images;
  return html`${shown}${links}`;
}

/**
 * Another server's files that are not kept here (videos, or images that could not be fetched): links
 * to them on their server, named by their description. Never embedded: the page loads nothing from
 * other servers (the CSP allows images from this origin only).
 */
function remoteFileLinks(status: StatusView): SafeHtml {
  const linked = status.mediaAttachments.filter(
    (m): m is MediaView & { remoteUrl: string } =>
      m.remoteUrl !== null && (m.type === 'unknown' || m.processing === 'failed'),
  );
  if (linked.length === 0) return html``;
  return html`<ul class="remote-files">${linked.map(
    (m) =>
      html`<li><a href="${m.remoteUrl}" rel="nofollow noopener noreferrer">${m.description ? `Attachment: ${m.description}` : 'Attachment'} (on ${new URL(m.remoteUrl).host})</a></li>`,
  )}</ul>`;
}

export function bioHtml(note: string): SafeHtml {
  return trustedHtml(renderPlainTextHtml(note));
}

type Nouns = readonly [one: string, many: string];
const REPLIES: Nouns = ['reply', 'replies'];
const BOOSTS: Nouns = ['boost', 'boosts'];
const FAVOURITES: Nouns = ['favourite', 'favourites'];

const counted = (count: number, [one, many]: Nouns) => `${count} ${count === 1 ? one : many}`;

/**
 * A count next to its symbol: the symbol is hidden from screen readers, which read the count and
 * its noun instead ("3 favourites"); what is seen ("★ 3") stays part of what is read.
 */
function symbolCount(symbol: string, count: number, [one, many]: Nouns): SafeHtml {
  return html`<span class="action"><span aria-hidden="true">${symbol}</span> ${count}<span class="visually-hidden"> ${count === 1 ? one : many}</span></span>`;
}

interface Toggle {
  /** The POST action that turns it on, and the one that turns it off. */
  action: string;
  undo: string;
  name: string;
  on: boolean;
  symbol: string;
  onClass: string;
  count: number;
  nouns: Nouns;
}

/**
 * A toggle (favourite, boost): one name in both states, `aria-pressed` saying which, and the
 * visible count inside the name ("Favourite, 3 favourites" for "☆ 3"), so speech input can say
 * what it sees.
 */
function toggleButton(context: PageContext, status: StatusView, toggle: Toggle): SafeHtml {
  return actionButton(
    context,
    `/statuses/${status.id}/${toggle.on ? toggle.undo : toggle.action}`,
    `${toggle.symbol} ${toggle.count}`,
    {
      className: toggle.on ? `action ${toggle.onClass}` : 'action',
      ariaLabel: `${toggle.name}, ${counted(toggle.count, toggle.nouns)}`,
      pressed: toggle.on,
    },
  );
}

function statusActions(status: StatusView, context: PageContext): SafeHtml {
  const path = statusPath(status);
  const replies = html`<a href="${path}" class="action" aria-label="${counted(status.repliesCount, REPLIES)}">↩ ${status.repliesCount}</a>`;
  const boosts = symbolCount('↻', status.reblogsCount, BOOSTS);
  if (!context.viewer) {
    return html`${replies}${boosts}${symbolCount('★', status.favouritesCount, FAVOURITES)}`;
  }
  // Only public and unlisted posts can be boosted.
  const boost =
    status.visibility === 'public' || status.visibility === 'unlisted'
      ? toggleButton(context, status, {
          action: 'reblog',
          undo: 'unreblog',
          name: 'Boost',
          on: status.reblogged,
          symbol: '↻',
          onClass: 'reblogged',
          count: status.reblogsCount,
          nouns: BOOSTS,
        })
      : boosts;
  const favourite = toggleButton(context, status, {
    action: 'favourite',
    undo: 'unfavourite',
    name: 'Favourite',
    on: status.favourited,
    symbol: status.favourited ? '★' : '☆',
    onClass: 'favourited',
    count: status.favouritesCount,
    nouns: FAVOURITES,
  });
  // A toggle with one name in both states; aria-pressed says whether the post is bookmarked.
  const bookmark = actionButton(
    context,
    `/statuses/${status.id}/${status.bookmarked ? 'unbookmark' : 'bookmark'}`,
    'Bookmark',
    { className: status.bookmarked ? 'action bookmarked' : 'action', pressed: status.bookmarked },
  );
  const own = status.account.id === context.viewer.id;
  const remove = own
    ? html`<a href="/statuses/${status.id}/edit" class="action">Edit</a><a href="/statuses/${status.id}/delete" class="action danger">Delete</a>`
    : '';
  return html`${replies}${boost}${favourite}${bookmark}<a href="${path}#reply" class="action">Reply</a>${remove}`;
}

export function statusArticle(
  view: StatusView,
  context: PageContext,
  options: { focused?: boolean } = {},
): SafeHtml {
  const status = view.reblog ?? view;
  const boost = view.reblog
    ? html`<p class="boosted"><span aria-hidden="true">↻</span> ${profileLink(view.account, displayNameOf(view.account))} boosted</p>`
    : '';
  const content = statusContent(status);
  const body = status.spoilerText
    ? html`<details class="spoiler"><summary>${status.spoilerText}</summary><div class="content">${content}</div></details>`
    : html`<div class="content">${content}</div>`;
  const media = mediaGallery(status);
  const poll = status.poll ? pollView(status, status.poll, context) : '';
  const replyTo = status.inReplyToId ? html`<span class="reply-note">· reply</span>` : '';
  const edited = status.editedAt
    ? html` <span class="edited-note">· edited <time datetime="${status.editedAt.toISOString()}" title="${exactTime(status.editedAt)}">${relativeTime(status.editedAt, context.now)}</time></span>`
    : '';
  return html`<article class="status${options.focused ? ' focused' : ''}" id="status-${status.id}">
${boost}<header class="status-header">
${profileLink(status.account, html`${avatarImage(status.account)}<strong>${displayNameOf(status.account)}</strong> <span class="handle">${handleOf(status.account)}</span>`, 'author')}
<a class="permalink" href="${statusPath(status)}">${timeElement(status.createdAt, context)}</a>${edited}${replyTo}${originalLink(status)}
</header>
${body}
${media}
${poll}
<footer class="status-actions">${statusActions(status, context)}</footer>
</article>`;
}

/**
 * A poll: a form to vote (radio buttons, or checkboxes when several choices are allowed) for a
 * signed-in reader who has not voted and is not its author while it runs; the results otherwise,
 * each option's share as text and as a bar (hidden totals stay hidden until it ends).
 */
function pollView(status: StatusView, poll: PollView, context: PageContext): SafeHtml {
  const ended = context.now.getTime() >= poll.expiresAt.getTime();
  const viewer = context.viewer;
  const own = poll.ownVotes ?? [];
  const { multiple } = poll;
  const canVote = viewer !== null && viewer.id !== poll.authorId && own.length === 0 && !ended;
  const when = ended
    ? html`Ended ${timeElement(poll.expiresAt, context)}`
    : html`Ends <time datetime="${poll.expiresAt.toISOString()}">${exactTime(poll.expiresAt)}</time>`;
  const summary = html`<p class="poll-summary">${counted(poll.votersCount, ['voter', 'voters'])} · ${when}</p>`;
  const legend = multiple ? 'Poll: choose one or more' : 'Poll: choose one';
  if (canVote) {
    const kind = multiple ? 'checkbox' : 'radio';
    return html`<form method="post" action="/polls/${poll.id}/votes" class="poll">
${csrfField(context)}<input type="hidden" name="return_to" value="${context.path}">
<fieldset><legend>${legend}</legend>
${poll.options.map((title, i) => html`<div><input type="${kind}" id="poll-${poll.id}-${i}" name="choices" value="${i}"> <label for="poll-${poll.id}-${i}">${title}</label></div>`)}
</fieldset>
<button type="submit" class="button">Vote</button>
${summary}
</form>`;
  }
  const hidden = poll.hideTotals && !ended && viewer?.id !== poll.authorId;
  const total = Math.max(poll.votesCount, 1);
  const rows = poll.options.map((title, i) => {
    const votes = poll.optionVotes[i] ?? 0;
    const share = Math.round((votes / total) * 100);
    const mine = own.includes(i) ? html` <span class="own-vote">(your choice)</span>` : '';
    return hidden
      ? html`<li>${title}${mine}</li>`
      : html`<li><span class="poll-option">${title}${mine}: ${share}% (${counted(votes, ['vote', 'votes'])})</span><progress class="poll-bar" max="100" value="${share}" aria-hidden="true"></progress></li>`;
  });
  return html`<div class="poll" aria-label="Poll results on ${statusPath(status)}"><ul class="poll-results">${rows}</ul>
${hidden ? html`<p class="hint">Results are shown when the poll ends.</p>` : ''}${summary}</div>`;
}

export function statusList(statuses: StatusView[], context: PageContext, empty: string): SafeHtml {
  if (statuses.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="feed">${statuses.map((s) => statusArticle(s, context))}</div>`;
}

/** "Newer" and "Older" links for keyset pages (max_id / min_id), keeping other query parameters. */
export function pager(
  basePath: string,
  items: { id: string }[],
  options: {
    limit: number;
    paged: boolean;
    query?: Record<string, string>;
    /** For lists paged by their own entries (bookmarks), not by the items' ids. */
    cursors?: { first: string | null; last: string | null };
  },
): SafeHtml {
  const first = options.cursors ? options.cursors.first : (items[0]?.id ?? null);
  const last = options.cursors ? options.cursors.last : (items.at(-1)?.id ?? null);
  const link = (key: 'max_id' | 'min_id', id: string) => {
    const params = new URLSearchParams({ ...options.query, [key]: id });
    return `${basePath}?${params.toString()}`;
  };
  const newer =
    options.paged && first !== null
      ? html`<a rel="prev" href="${link('min_id', first)}">← Newer</a>`
      : '';
  const older =
    items.length >= options.limit && last !== null
      ? html`<a rel="next" href="${link('max_id', last)}">Older →</a>`
      : '';
  if (!newer && !older) return html``;
  return html`<nav class="pager" aria-label="Pages">${newer}${older}</nav>`;
}

export interface ComposeOptions {
  text?: string;
  /** Content warning as typed. */
  spoilerText?: string;
  visibility?: Visibility;
  error?: string | null;
  inReplyTo?: StatusView | null;
  /** Alt texts as typed (`alt_1` … `alt_4`), kept when the form comes back with an error. */
  altTexts?: Record<string, string | undefined>;
  /** The poll as typed, kept when the form comes back with an error. */
  poll?: PollFields;
}

/** A poll as the compose form sends it. */
export interface PollFields {
  options: string[];
  /** Seconds. */
  expiresIn: number;
  multiple: boolean;
}

/** How long a poll may run, as offered by the form (within Mastodon's 5 minutes to a month). */
export const POLL_DURATIONS: readonly [seconds: number, label: string][] = [
  [5 * 60, '5 minutes'],
  [30 * 60, '30 minutes'],
  [60 * 60, '1 hour'],
  [6 * 60 * 60, '6 hours'],
  [24 * 60 * 60, '1 day'],
  [3 * 24 * 60 * 60, '3 days'],
  [7 * 24 * 60 * 60, '7 days'],
];

/** Up to four options, how long it runs, and whether several choices are allowed. */
function pollFields(options: ComposeOptions): SafeHtml {
  const poll = options.poll;
  const kept = poll !== undefined && poll.options.some((o) => o);
  const duration = poll?.expiresIn ?? 24 * 60 * 60;
  return html`<details class="compose-poll"${kept ? html` open` : ''}><summary>Add a poll</summary>
${[1, 2, 3, 4].map(
  (n) =>
    html`<div><label for="poll-option-${n}">Choice ${n}${n > 2 ? ' (optional)' : ''}</label> <input type="text" id="poll-option-${n}" name="poll_option_${n}" maxlength="200" value="${poll?.options[n - 1] ?? ''}"></div>`,
)}
<div><label for="poll-duration">Poll length</label> <select id="poll-duration" name="poll_expires_in">${POLL_DURATIONS.map(
    ([seconds, label]) =>
      html`<option value="${seconds}"${seconds === duration ? html` selected` : ''}>${label}</option>`,
  )}</select></div>
<div><input type="checkbox" id="poll-multiple" name="poll_multiple" value="true"${poll?.multiple ? html` checked` : ''}> <label for="poll-multiple">Allow several choices</label></div>
</details>`;
}

const PHOTO_TYPES = 'image/jpeg,image/png,image/gif,image/webp,image/avif';

/** Up to four photos, each with its description (alt text) for people who cannot see it. */
function photoFields(options: ComposeOptions): SafeHtml {
  const kept = Object.values(options.altTexts ?? {}).some((alt) => alt);
  const rows = [1, 2, 3, 4].map(
    (n) => html`<div class="media-field">
<div><label for="photo-${n}">Photo ${n}</label> <input type="file" id="photo-${n}" name="photo_${n}" accept="${PHOTO_TYPES}"></div>
<div><label for="alt-${n}">Description of photo ${n}</label> <input type="text" id="alt-${n}" name="alt_${n}" maxlength="1500" value="${options.altTexts?.[`alt_${n}`] ?? ''}"></div>
</div>`,
  );
  return html`<details class="compose-media"${kept ? html` open` : ''}><summary>Add photos (up to 4)</summary>
${kept ? html`<p class="hint">Choose the photos again: browsers do not keep chosen files.</p>` : ''}
${rows}
</details>`;
}

const VISIBILITY_CHOICES: readonly [Visibility, string][] = [
  ['public', 'Public: anyone, in public timelines'],
  ['unlisted', 'Unlisted: anyone, but not in public timelines'],
  ['private', 'Followers only'],
  ['direct', 'Mentioned people only'],
];

/** Who can see the post, and an optional content warning shown in place of the text. */
function composeSettings(options: ComposeOptions): SafeHtml {
  const chosen = options.visibility ?? 'public';
  return html`<div class="compose-settings">
<div><label for="compose-visibility">Who can see it</label> <select id="compose-visibility" name="visibility">${VISIBILITY_CHOICES.map(
    ([value, label]) =>
      html`<option value="${value}"${value === chosen ? html` selected` : ''}>${label}</option>`,
  )}</select></div>
<div><label for="compose-spoiler">Content warning (optional)</label> <input type="text" id="compose-spoiler" name="spoiler_text" maxlength="500" value="${options.spoilerText ?? ''}" aria-describedby="compose-spoiler-hint"> <span class="hint" id="compose-spoiler-hint">Readers see this first and open the post to read it.</span></div>
</div>`;
}

/** One attachment in the edit form: its id and the description the form shows. */
export interface EditedAttachment {
  id: string;
  description: string;
}

/**
 * The form that edits one's own post, filled with its text and content warning, and for each photo
 * its description and a box to remove it.
 */
export function editForm(
  context: PageContext,
  status: { id: string },
  options: {
    text: string;
    spoilerText: string;
    media: readonly EditedAttachment[];
    error?: string | null;
  },
): SafeHtml {
  const errorId = 'edit-error';
  return html`<form method="post" action="/statuses/${status.id}/edit" class="compose" id="edit">
${csrfField(context)}
<label for="edit-text">Text</label>
<textarea id="edit-text" name="status" rows="4" maxlength="${context.maxStatusCharacters * MAX_CODE_UNITS_PER_CHARACTER}" data-max-characters="${context.maxStatusCharacters}"${options.error ? html` aria-describedby="${errorId}" aria-invalid="true"` : ''}>${options.text}</textarea>
${options.error ? html`<p class="field-error" id="${errorId}" role="alert">${options.error}</p>` : ''}
<div><label for="edit-spoiler">Content warning (optional)</label> <input type="text" id="edit-spoiler" name="spoiler_text" maxlength="500" value="${options.spoilerText}"></div>
${options.media.map(
  (m, i) => html`<fieldset class="edit-media"><legend>Photo ${i + 1}</legend>
<input type="hidden" name="media_id" value="${m.id}">
<label for="edit-media-${m.id}">Description of photo ${i + 1}</label>
<textarea id="edit-media-${m.id}" name="media_description" rows="2" maxlength="1500">${m.description}</textarea>
<div><input type="checkbox" id="edit-remove-${m.id}" name="remove_media" value="${m.id}"> <label for="edit-remove-${m.id}">Remove photo ${i + 1}</label></div>
</fieldset>`,
)}
<div class="compose-footer"><button type="submit" class="button primary">Save changes</button></div>
</form>`;
}

/** The compose form; works without JavaScript, compose.js adds a live counter. */
export function composeForm(context: PageContext, options: ComposeOptions = {}): SafeHtml {
  const replying = options.inReplyTo ?? null;
  const initial = options.text ?? (replying ? `${handleOf(replying.account)} ` : '');
  const label = replying ? `Reply to ${handleOf(replying.account)}` : 'What’s on your mind?';
  const errorId = 'compose-error';
  return html`<form method="post" action="/statuses" enctype="multipart/form-data" class="compose" id="${replying ? 'reply' : 'compose'}">
${csrfField(context)}
${replying ? html`<input type="hidden" name="in_reply_to_id" value="${replying.id}">` : ''}
<label for="compose-text">${label}</label>
<textarea id="compose-text" name="status" rows="4" maxlength="${context.maxStatusCharacters * MAX_CODE_UNITS_PER_CHARACTER}" data-max-characters="${context.maxStatusCharacters}" aria-describedby="compose-counter${options.error ? html` ${errorId}` : ''}"${options.error ? html` aria-invalid="true"` : ''}>${initial}</textarea>
${options.error ? html`<p class="field-error" id="${errorId}" role="alert">${options.error}</p>` : ''}
${composeSettings(options)}
${photoFields(options)}
${replying ? '' : pollFields(options)}
<div class="compose-footer">
<span id="compose-counter" class="counter" aria-live="polite">Up to ${context.maxStatusCharacters} characters (a link counts as 23).</span>
<button type="submit" class="button primary">${replying ? 'Reply' : 'Post'}</button>
</div>
</form>`;
}

export function accountCard(account: AccountView): SafeHtml {
  return html`<li class="account-card">${profileLink(account, html`<strong>${displayNameOf(account)}</strong> <span class="handle">${handleOf(account)}</span>`)}
<div class="bio">${bioHtml(account.note)}</div></li>`;
}
