/**
 * `POST /api/v1/emails/confirmations`: sends the confirmation e-mail again (the worker sends it,
 * from EmailConfirmationRequested), optionally to a corrected address, as Mastodon does. Only while
 * the address awaits confirmation (403 otherwise); throttled per IP and per account like the
 * password reset. Mastodon also requires the token to come from the app the account signed up
 * with; Murmur does not record that app, so any of the account's tokens with `write:accounts` may.
 */
import { requestEmailConfirmation } from '@murmur/db/accounts';
import Type from 'typebox';
import type { ApiInstance } from '../../../plugins/context.js';
import { HttpError } from '../../../plugins/errors.js';
import { clientAddressKey, passSharedLimits } from '../../../plugins/rate-limit.js';
import { EmptyObject } from '../../../schemas/atoms.js';
import { ERRORS, userOf } from '../_shared.js';

export default async function emailConfirmationRoutes(app: ApiInstance): Promise<void> {
  app.post(
    '/api/v1/emails/confirmations',
    {
      config: { auth: 'user', scopes: ['write:accounts'] },
      schema: {
        tags: ['emails'],
        summary:
          'Send the confirmation e-mail again (to `email`, correcting the address, if given)',
        body: Type.Optional(Type.Object({ email: Type.Optional(Type.String({ maxLength: 400 })) })),
        response: { 200: EmptyObject, ...ERRORS },
      },
    },
    async (request, reply) => {
      const accountId = userOf(request);
      const allowed = await passSharedLimits(app, reply, [
        {
          key: `account-emails:ip:${clientAddressKey(request)}`,
          limit: app.rateLimits.accountEmailsPerIp,
        },
        {
          key: `account-emails:account:${accountId}`,
          limit: app.rateLimits.accountEmailsPerAddress,
        },
      ]);
      if (!allowed) return reply;
      const email = request.body?.email?.trim() || undefined;
      const sent = await requestEmailConfirmation(app.database, {
        accountId,
        ...(email ? { email } : {}),
        requestId: request.id,
      });
      if (!sent) {
        throw new HttpError(403, {
          error: 'This method is only available while the e-mail is awaiting confirmation',
        });
      }
      return {};
    },
  );
}
