import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import { profilePath } from '@murmur/service-kit/public-urls';
import type { PageContext } from './context.js';
import { confirmationNotice } from './confirmation-notice.js';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Extra elements for <head> (feeds, canonical links). */
  head?: SafeHtml;
  /** Hide the page from search engines (settings, errors). */
  noindex?: boolean;
}

export function csrfField(context: PageContext): SafeHtml {
  return context.csrfToken
    ? html`<input type="hidden" name="csrf_token" value="${context.csrfToken}">`
    : html``;
}

/** A one-button form that POSTs to `action` and comes back to the current page. */
export function actionButton(
  context: PageContext,
  action: string,
  label: string,
  options: { className?: string; ariaLabel?: string; pressed?: boolean } = {},
): SafeHtml {
  return html`<form method="post" action="${action}" class="inline-form">${csrfField(context)}<input type="hidden" name="return_to" value="${context.path}"><button type="submit" class="${options.className ?? 'button'}"${options.ariaLabel ? html` aria-label="${options.ariaLabel}"` : ''}${options.pressed === undefined ? '' : html` aria-pressed="${String(options.pressed)}"`}>${label}</button></form>`;
}

function navigation(context: PageContext): SafeHtml {
  const viewer = context.viewer;
  const links = viewer
    ? html`<li><a href="/home">Home</a></li>
        <li><a href="/">Public</a></li>
        <li><a href="/notifications">Notifications</a></li>
        <li><a href="/bookmarks">Bookmarks</a></li>
        <li><a href="/lists">Lists</a></li>
        <li><a href="/direct">Direct messages</a></li>
        <li><a href="${profilePath(viewer.username)}">Profile</a></li>
        <li><a href="/settings">Settings</a></li>
        ${viewer.role === 'user' ? '' : html`<li><a href="/admin/reports">Moderation</a></li>`}
        <li><form method="post" action="/auth/sign_out" class="inline-form">${csrfField(context)}<button type="submit" class="link-button">Sign out</button></form></li>`
    : html`<li><a href="/">Public</a></li>
        <li><a href="/auth/sign_in">Sign in</a></li>
        <li><a href="/auth/sign_up" class="button">Sign up</a></li>`;
  return html`<nav aria-label="Main"><ul class="nav-list">${links}</ul></nav>`;
}

export function layout(context: PageContext, page: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Murmur</title>
${page.noindex ? html`<meta name="robots" content="noindex">` : ''}
<link rel="stylesheet" href="/assets/site.css?v=${context.assetVersion}">
<script src="/assets/compose.js?v=${context.assetVersion}" defer></script>
${page.head}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="wrap header-row">
<a class="brand" href="${context.viewer ? '/home' : '/'}">Murmur</a>
<form class="search-form" role="search" method="get" action="/search">
<label for="site-search" class="visually-hidden">Search</label>
<input id="site-search" type="search" name="q" placeholder="Search people, tags, posts" maxlength="200">
</form>
${navigation(context)}
</div>
</header>
<main id="main" class="wrap" tabindex="-1">
${confirmationNotice(context)}
${page.body}
</main>
<footer class="site-footer wrap">
<a href="/statistics">Statistics</a> · <a href="/">Public posts</a>
</footer>
</body>
</html>
`;
}
