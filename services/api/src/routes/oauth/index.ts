/** The OAuth 2.0 authorization server: pages, token, revocation and UserInfo endpoints. */
import type { ApiInstance } from '../../plugins/context.js';
import accountRecoveryRoutes from './account-recovery.js';
import authorizeRoutes from './authorize.js';
import tokenRoutes from './token.js';
import userinfoRoutes from './userinfo.js';

export default async function oauthRoutes(app: ApiInstance): Promise<void> {
  await app.register(authorizeRoutes);
  await app.register(tokenRoutes);
  await app.register(userinfoRoutes);
  await app.register(accountRecoveryRoutes);
}
