/** The OAuth 2.0 authorization server: pages, token and revocation endpoints. */
import type { ApiInstance } from '../../plugins/context.js';
import authorizeRoutes from './authorize.js';
import tokenRoutes from './token.js';

export default async function oauthRoutes(app: ApiInstance): Promise<void> {
  await app.register(authorizeRoutes);
  await app.register(tokenRoutes);
}
