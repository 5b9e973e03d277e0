import { formatMismatches, type ConfigMismatch } from './config-diff.js';

/** The stream or consumer on the server is not configured the way this code needs it. */
export class JetStreamConfigError extends Error {
  override name = 'JetStreamConfigError';
  constructor(
    message: string,
    readonly mismatches: readonly ConfigMismatch[] = [],
  ) {
    super(mismatches.length ? `${message}: ${formatMismatches(mismatches)}` : message);
  }
}
