export {
  readEnvironment,
  describeEnvironment,
  redactUrl,
  parseTrustProxy,
  ConfigurationError,
  loadConfigOrExit,
  type VariableSpec,
  type VariableKind,
  type Environment,
} from './env.js';
export {
  createLogger,
  REDACTED_PATHS,
  runtimeInfo,
  type Logger,
  type LoggerSettings,
} from './logger.js';
export { onShutdownSignal } from './shutdown.js';
export { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';
export {
  createMetricsRegistry,
  httpMetrics,
  notForwarded,
  HTTP_DURATION_BUCKETS,
  UNMATCHED_ROUTE,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricsRegistryOptions,
  type HttpMetricsOptions,
} from './metrics.js';
export {
  SHARED_VARIABLES,
  MEDIA_VARIABLES,
  WEB_PUSH_VARIABLES,
  NATS_VARIABLES,
  DEV_WEB_CLIENT_SECRET,
  DEV_UNSUBSCRIBE_SECRET,
} from './variables.js';
export { oauthSignInCookieName, WEB_SESSION_HEADER } from './cookies.js';
export {
  findInputProblem,
  INPUT_PROBLEM_MESSAGES,
  MAX_INPUT_DEPTH,
  type InputProblem,
} from './input.js';
export {
  webPushSettings,
  sealAccessToken,
  openAccessToken,
  type WebPushSettings,
} from './web-push.js';
export { Limiter } from './limiter.js';
