/**
 * OpenID Connect's UserInfo endpoint (Mastodon 4.4): who the token's account is, for apps that
 * sign people in with Mastodon. Like Mastodon, it needs the `profile` scope, and answers GET and POST.
 */
import { findAccountById } from '@murmur/db/accounts';
import Type from 'typebox';
import { MISSING_AVATAR_PATH, profileUrl } from '../../entities/index.js';
import type { ApiInstance } from '../../plugins/context.js';
import { ERRORS, userOf } from '../api/_shared.js';

const UserInfo = Type.Object({
  iss: Type.String({ description: 'This server (the issuer)' }),
  sub: Type.String({ description: "The account's URL: a stable, unique subject" }),
  name: Type.String(),
  preferred_username: Type.String(),
  profile: Type.String(),
  picture: Type.String(),
});

export default async function userinfoRoutes(app: ApiInstance): Promise<void> {
  const origin = app.config.publicOrigin;
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/oauth/userinfo',
      config: { auth: 'user', scopes: ['profile'] },
      schema: {
        tags: ['oauth'],
        summary: 'The signed-in account as OpenID Connect claims (scope `profile`)',
        response: { 200: UserInfo, ...ERRORS },
      },
      handler: async (request) => {
        // The token names the account; the claims need its current display name.
        const account = await findAccountById(app.database.primary, userOf(request));
        if (!account) throw new Error(`no account behind ${userOf(request)}`);
        const url = profileUrl(origin, account.username);
        return {
          iss: origin,
          sub: url,
          name: account.displayName.trim() || account.username,
          preferred_username: account.username,
          profile: url,
          picture: `${origin}${MISSING_AVATAR_PATH}`,
        };
      },
    });
  }
}
