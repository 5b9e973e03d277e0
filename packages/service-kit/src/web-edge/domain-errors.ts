/**
 * The one map from a domain error's code (`DomainError.code` in @murmur/db) to an HTTP status, for
 * the API and the website alike:
 *
 * - `...NotFound` → 404 (and nothing more is said: whether it exists or is hidden is not told);
 * - `NotAllowed`, `CannotFollowSelf`, `EmailNotConfirmed` → 403: the request is understood and
 *   well-formed, the rules forbid it for this person. Following oneself is such a case (it was 422
 *   on the website and 403 in the API; the API's answer is the contract clients already see, so
 *   the website follows it);
 * - anything else (a rule about the input: too long, empty, taken, ...) → 422.
 *
 * OAuth endpoints map their own codes first (RFC 6749 errors, in the API).
 */
const FORBIDDEN_CODES: ReadonlySet<string> = new Set([
  'NotAllowed',
  'CannotFollowSelf',
  'EmailNotConfirmed',
]);

export function httpStatusOfDomainError(code: string): 403 | 404 | 422 {
  if (code.endsWith('NotFound')) return 404;
  if (FORBIDDEN_CODES.has(code)) return 403;
  return 422;
}
