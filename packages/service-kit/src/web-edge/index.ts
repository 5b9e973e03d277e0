/**
 * @murmur/service-kit/web-edge: what the two HTTP services (the API and the website) both do at
 * their edge, written once: the escaping `html` template tag, the domain-error → HTTP status map,
 * and the common security headers and health routes. (The public URL scheme, which the worker and
 * federation use too, is `@murmur/service-kit/public-urls`.)
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
