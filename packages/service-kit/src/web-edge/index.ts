/**
 * @murmur/service-kit/web-edge: what the two HTTP services (the API and the website) both do at
 * their edge, written once: the escaping `html` template tag, the domain-error → HTTP status map,
 * the common security headers, the health routes, and the public URL scheme of profiles and statuses.
 */
export {
  html,
  trustedHtml,
  isSafeHtml,
  toHtmlString,
  type SafeHtml,
  type HtmlValue,
} from './html.js';
export { httpStatusOfDomainError } from './domain-errors.js';
export { setCommonSecurityHeaders } from './security-headers.js';
export { healthRoutes, type HealthOptions } from './health.js';
export { profilePath, statusPath, tagPath, profileUrl, statusUrl, tagUrl } from './public-urls.js';
