/**
 * The OAuth server's sign-in cookie (services/api: it spares a person who has just typed their
 * password from typing it again for 10 minutes). The website and the API are served at one origin,
 * so the website's sign-out clears it too: signing out must end the sign-in at the authorization
 * server, or "Sign in" right after would go straight back in without a password.
 */
export function oauthSignInCookieName(secure: boolean): string {
  return secure ? '__Host-murmur_oauth_sign_in' : 'murmur_oauth_sign_in';
}
