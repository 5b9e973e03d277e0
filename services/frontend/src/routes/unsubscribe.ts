/**
 * Unsubscribing from mention e-mails with the signed token from the e-mail. GET shows a confirm
 * form (mail scanners follow links; a GET changes nothing); POST turns the e-mails off, including
 * RFC 8058 one-click POSTs from mail providers (`List-Unsubscribe=One-Click`). The token itself
 * authorizes the change, so these POSTs need no session.
 */
import { updateProfile } from '@murmur/db/accounts';
import { verifyUnsubscribeToken } from '@murmur/service-kit';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { HttpError } from '../errors.js';
import { html } from '@murmur/service-kit/web-edge';
import { pageContext, sendPage, type FrontendDependencies } from '../pages.js';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });
const UnsubscribeBody = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 200 })),
  'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 50 })),
});

export function registerUnsubscribeRoutes(app: FastifyInstance, deps: FrontendDependencies): void {
  const accountFor = (token: string | undefined) => {
    const accountId = token ? verifyUnsubscribeToken(deps.config.unsubscribeSecret, token) : null;
    if (!accountId)
      throw new HttpError(
        400,
        'This unsubscribe link is not valid. Use the link from a recent e-mail, or change e-mail settings after signing in.',
      );
    return accountId;
  };

  app.get<{ Querystring: Static<typeof TokenQuery> }>(
    '/unsubscribe',
    { schema: { querystring: TokenQuery } },
    async (request, reply) => {
      accountFor(request.query.token);
      const context = pageContext(request, deps);
      const body = html`<h1>Stop mention e-mails?</h1>
<form method="post" action="/unsubscribe" class="confirm card">
<input type="hidden" name="token" value="${request.query.token}">
<p>You will no longer get an e-mail when someone mentions you. You can turn them back on in your settings.</p>
<button type="submit" class="button primary">Unsubscribe</button>
</form>`;
      // The token stays off other sites' Referer; `no-referrer` would also make the browser send
      // `Origin: null` with the form below, which the CSRF check rightly refuses.
      reply.header('referrer-policy', 'same-origin');
      return sendPage(reply, context, { title: 'Unsubscribe', body, noindex: true });
    },
  );

  app.post<{ Querystring: Static<typeof TokenQuery>; Body: Static<typeof UnsubscribeBody> }>(
    '/unsubscribe',
    {
      config: { csrf: 'self-authorizing' },
      schema: { querystring: TokenQuery, body: UnsubscribeBody },
    },
    async (request, reply) => {
      const accountId = accountFor(request.body?.token ?? request.query.token);
      await updateProfile(deps.database, accountId, { emailOnMention: false });
      request.log.info(
        {
          event: 'unsubscribed',
          accountId,
          oneClick: request.body?.['List-Unsubscribe'] === 'One-Click',
        },
        'mention e-mails turned off',
      );
      const context = pageContext(request, deps);
      const body = html`<h1>Unsubscribed</h1><p role="status">You will no longer get e-mails when someone mentions you.</p>`;
      return sendPage(reply, context, { title: 'Unsubscribed', body, noindex: true });
    },
  );
}
