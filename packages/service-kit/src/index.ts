export {
  readEnvironment,
  describeEnvironment,
  redactUrl,
  ConfigurationError,
  type VariableSpec,
  type VariableKind,
  type Environment,
} from './env.js';
export { createLogger, REDACTED_PATHS, type Logger, type LoggerSettings } from './logger.js';
export { onShutdownSignal } from './shutdown.js';
export { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';
