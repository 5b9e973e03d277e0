/**
 * Redirect URI rules (RFC 9700 §2.1, §2.6, §4.1.3; RFC 8252 §7.3). At registration: absolute https,
 * http only on a loopback host, private-use schemes of native apps (`com.tapbots.Ivory.10217:/…`),
 * or the out-of-band URN; never script-capable schemes or fragments. At authorization: byte-for-byte
 * equality with a registered URI, except that a loopback redirect may use any port.
 */

export const OUT_OF_BAND_URI = 'urn:ietf:wg:oauth:2.0:oob';

const FORBIDDEN_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
  'filesystem:',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_LENGTH = 2000;

/** Why a redirect URI cannot be registered, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (uri === OUT_OF_BAND_URI) return null;
  if (uri.length > MAX_LENGTH) return 'is too long';
  if (/[\s\p{Cc}]/u.test(uri)) return 'must not contain spaces or control characters';
  if (uri.includes('#')) return 'must not contain a fragment';
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.protocol === 'https:') return url.hostname ? null : 'must have a host';
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : 'must use https (http is allowed only for loopback addresses)';
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:' || url.protocol === 'ftp:') {
    return `must not use the ${url.protocol} scheme`;
  }
  return null; // a native app's private-use scheme
}

/** Splits Mastodon's `redirect_uris` (a string with several URIs separated by whitespace, or a list). */
export function splitRedirectUris(value: string | string[]): string[] {
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.flatMap((item) => item.split(/\s+/)).filter((item) => item.length > 0))];
}

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?(\/.*)?$/;

/** The URI with the port of a loopback http URI removed; null for other URIs. */
function withoutLoopbackPort(uri: string): string | null {
  const match = LOOPBACK_HTTP.exec(uri);
  return match ? `http://${match[1]}${match[2] ?? ''}` : null;
}

/** Whether `presented` is one of `registered`, exactly (loopback redirects may change the port). */
export function matchesRegisteredUri(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const presentedBase = withoutLoopbackPort(presented);
  if (presentedBase === null) return false;
  return registered.some((uri) => withoutLoopbackPort(uri) === presentedBase);
}
