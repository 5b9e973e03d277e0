/**
 * The OAuth server's sign-in cookie (services/api: it spares a person who has just typed their
 * password from typing it again for 10 minutes). The website and the API are served at one origin,
 * so the website's sign-out clears it too: signing out must end the sign-in at the authorization
 * server, or "Sign in" right after would go straight back in without a password.
 */
export function oauthSignInCookieName(secure: boolean): string {
  return secure ? '__Host-murmur_oauth_sign_in' : 'murmur_oauth_sign_in';
}

/**
 * The header in which the website hands its visitor's session id (the cookie's value) to the API's
 * streaming endpoints when it relays a signed-in person's live updates (services/frontend
 * `routes/live.ts`). The browser never holds an API token; the session id is the credential it
 * already has, sent server to server, and the API applies that session's token and account exactly
 * as a bearer token's.
 */
export const WEB_SESSION_HEADER = 'x-murmur-web-session';
