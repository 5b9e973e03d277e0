/**
 * A timeline that updates itself: the list as rendered, inside a region `assets/live.js` adds new
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
