/** The notice every page shows to a signed-in person whose e-mail address is not confirmed. */
import { html, type SafeHtml } from '@murmur/service-kit/web-edge';
import type { PageContext } from './context.js';
import { csrfField } from './layout.js';

export function confirmationNotice(context: PageContext): SafeHtml {
  if (!context.viewer || context.viewer.emailConfirmed) return html``;
  return html`<section class="notice confirm-email" aria-labelledby="confirm-email-heading">
<h2 id="confirm-email-heading">Confirm your e-mail address</h2>
<p>We sent you a link. Open it to post, boost and follow people; until then you can read everything.</p>
<form method="post" action="/settings/confirmation" class="inline-form">${csrfField(context)}<button type="submit" class="button">Send the link again</button></form>
</section>`;
}
