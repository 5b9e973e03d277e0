import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may carry credentials. They are removed before a line is written, so passwords, tokens,
 * cookies and authorization codes never reach the logs.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'current_password',
  'new_password',
  'client_secret',
  'code',
  'code_verifier',
  'token',
  'access_token',
  'refresh_token',
  '*.password',
  '*.client_secret',
  '*.code_verifier',
  '*.access_token',
  '*.token',
  'body.password',
  'body.client_secret',
  'body.code',
  'body.code_verifier',
  'body.token',
  // Web Push: the VAPID private key and a subscription's auth secret.
  'VAPID_PRIVATE_KEY',
  'privateKey',
  '*.VAPID_PRIVATE_KEY',
  '*.privateKey',
  'body.subscription.keys.auth',
];

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Where lines go (tests capture them); stdout by default. */
  destination?: pino.DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

export type { Logger };

/** What a service logs as it starts: which Node.js runs it (the workspace pins Node 24). */
export function runtimeInfo(): { node: string; pid: number; arch: string } {
  return { node: process.version, pid: process.pid, arch: process.arch };
}
