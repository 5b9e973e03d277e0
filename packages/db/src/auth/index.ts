/**
 * @murmur/db/auth: who is calling: OAuth applications, authorization codes and access tokens, the
 * website's sessions, and rate limits.
 */
export {
  registerApplication,
  ensureFirstPartyApplication,
  findApplicationByClientId,
  findApplicationById,
  verifyClientCredentials,
  createAuthorizationCode,
  redeemAuthorizationCode,
  issueAccessToken,
  authenticateAccessToken,
  revokeAccessToken,
  revokeAccessTokenById,
  listAuthorizedApplications,
  revokeApplicationForAccount,
  pkceS256Challenge,
  type AuthenticatedToken,
  type OAuthApplication,
  type IssuedAccessToken,
  type AuthorizedApplication,
} from '../operations/oauth.js';
export {
  createWebSession,
  loadWebSession,
  deleteWebSession,
  deleteExpiredWebSessions,
  type WebSession,
  type WebSessionTimeouts,
  type LoadedWebSession,
  type SessionAccount,
} from '../operations/web-sessions.js';
export {
  addRateLimitHits,
  hitRateLimit,
  deleteExpiredRateLimits,
} from '../operations/rate-limits.js';
