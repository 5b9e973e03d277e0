/**
 * The little state the authorization pages keep in the browser, with no server-side session:
 * - a sign-in cookie, valid 10 minutes, holding the account id, an expiry and an HMAC (keyed with
 *   API_COOKIE_SECRET, and bound to the account's last password change, so changing the password
 *   ends it, and the website's sign-out clears it);
 * - a CSRF nonce cookie; forms carry HMAC(nonce) and POSTs must present both (and no foreign Origin).
 * Cookies are HttpOnly, SameSite=Lax, and on https `Secure` with the `__Host-` prefix.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { findAccountById, type LocalAccount } from '@murmur/db/accounts';
import { signInRefusal } from '@murmur/db/moderation';
import { oauthSignInCookieName } from '@murmur/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../plugins/context.js';

export const SIGN_IN_TTL_MS = 10 * 60_000;

function cookieName(app: ApiInstance, name: string): string {
  return app.config.secure ? `__Host-${name}` : name;
}

function cookieOptions(app: ApiInstance, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: app.config.secure,
    maxAge: maxAgeSeconds,
  };
}

function mac(app: ApiInstance, purpose: string, value: string): string {
  return createHmac('sha256', app.config.API_COOKIE_SECRET)
    .update(`${purpose}|${value}`)
    .digest('base64url');
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function credentialStamp(account: LocalAccount): string {
  return String(account.credentialsChangedAt?.getTime() ?? 0);
}

export function setSignedIn(app: ApiInstance, reply: FastifyReply, account: LocalAccount): void {
  const expires = app.clock().getTime() + SIGN_IN_TTL_MS;
  const payload = `${account.id}.${expires}`;
  const value = `${payload}.${mac(app, 'sign-in', `${payload}.${credentialStamp(account)}`)}`;
  reply.setCookie(
    oauthSignInCookieName(app.config.secure),
    value,
    cookieOptions(app, SIGN_IN_TTL_MS / 1000),
  );
}

/** The account signed in on this browser within the last 10 minutes, or null. */
export async function signedInAccount(
  app: ApiInstance,
  request: FastifyRequest,
): Promise<LocalAccount | null> {
  const value = request.cookies[oauthSignInCookieName(app.config.secure)];
  const match = value ? /^(\d{1,19})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  if (!match) return null;
  const [, accountId, expires, signature] = match as unknown as [string, string, string, string];
  if (Number(expires) <= app.clock().getTime()) return null;
  const account = await findAccountById(app.database.primary, accountId);
  // Suspended or disabled since signing in: the sign-in cookie no longer counts.
  if (!account || signInRefusal(account) !== null) return null;
  const expected = mac(app, 'sign-in', `${accountId}.${expires}.${credentialStamp(account)}`);
  return equalStrings(signature, expected) ? account : null;
}

/** The CSRF token for this browser's forms (setting the nonce cookie when there is none yet). */
export function csrfToken(app: ApiInstance, request: FastifyRequest, reply: FastifyReply): string {
  const name = cookieName(app, 'murmur_oauth_csrf');
  let nonce = request.cookies[name];
  if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
    nonce = randomBytes(32).toString('base64url');
    reply.setCookie(name, nonce, cookieOptions(app, 24 * 3600));
    request.cookies[name] = nonce;
  }
  return mac(app, 'csrf', nonce);
}

/** Whether a form POST carries this browser's CSRF token and does not come from another site. */
export function validCsrf(
  app: ApiInstance,
  request: FastifyRequest,
  presented: string | undefined,
): boolean {
  // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for our own forms.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== app.config.publicOrigin) return false;
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const nonce = request.cookies[cookieName(app, 'murmur_oauth_csrf')];
  if (!nonce || !presented) return false;
  return equalStrings(presented, mac(app, 'csrf', nonce));
}
