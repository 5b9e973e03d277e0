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

const HTTP_ORIGIN_SOURCE = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/;

/**
 * The CSP source that lets a form's redirect reach this (already validated) redirect URI: its
 * origin for http(s), its scheme for a native app's private-use scheme, null for the out-of-band
 * URN. Anything that would not be one well-formed source (an IPv6 literal, which CSP cannot name;
 * a host with characters that could end the directive) gives null, so the policy stays 'self'.
 */
export function redirectUriCspSource(uri: string): string | null {
  if (uri === OUT_OF_BAND_URI) return null;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return HTTP_ORIGIN_SOURCE.test(url.origin) ? url.origin : null;
  }
  return SCHEME_SOURCE.test(url.protocol) ? url.protocol : null;
}
