/**
 * The logging surface the JetStream helpers need. It is a structural subset of pino's logger
 * (`logger.warn({ eventId, err }, 'message')`), so services pass their pino instance as is and this
 * package does not depend on pino.
 */
export interface LoggerLike {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

const noop = () => {};

/** A logger that drops everything; the default when none is given. */
export const silentLogger: LoggerLike = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
});
