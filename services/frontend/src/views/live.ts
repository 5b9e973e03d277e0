/**
 * Pages that update themselves. A timeline: the list as rendered, inside a region `assets/live.js` adds new
 * posts to (from the streaming API's server-sent events at `streamPath`), and a polite live region
 * that announces them. Without JavaScript it is the same list.
 */
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import type { PageContext } from './context.js';

export function liveTimeline(streamPath: string, list: SafeHtml, context: PageContext): SafeHtml {
  return html`<div data-live-stream="${streamPath}">
<p id="live-announcer" class="visually-hidden" aria-live="polite"></p>
${list}
</div>
<script src="/assets/live.js?v=${context.assetVersion}" defer></script>`;
}

/**
 * The notifications page's list, which `assets/live.js` keeps current from the website's live
 * notifications (`/live/notifications`): each new one is the page's own rendering of it, added at
 * the top and announced politely. Without JavaScript it is the same list.
 */
export function liveNotifications(
  streamPath: string,
  list: SafeHtml,
  context: PageContext,
): SafeHtml {
  return html`<div data-live-notifications="${streamPath}">
<p id="live-announcer" class="visually-hidden" aria-live="polite"></p>
${list}
</div>
<script src="/assets/live.js?v=${context.assetVersion}" defer></script>`;
}
