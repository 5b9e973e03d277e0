/**
 * Startup check of the NATS server (reliability R35, project decision 5).
 *
 * Jepsen found that nats-server 2.10.20–2.10.22 could lose a whole stream on a process crash (fixed in
 * 2.10.23), and older servers carry further data-loss bugs. Production pins a newer image; local runs
 * and CI use Debian's 2.9.10, so an old server is reported as a warning, never a refusal.
 */
import type { NatsConnection } from '@nats-io/transport-node';

export const MIN_RECOMMENDED_NATS_VERSION = '2.10.23';

export interface NatsServerCheck {
  version: string;
  warnings: string[];
}

/** Numeric `major.minor.patch` of a version string ("v2.9.10", "2.11.0-RC.1"), or null. */
export function parseServerVersion(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Compares two server versions by `major.minor.patch` (pre-release suffixes are ignored).
 * Returns a negative number, 0 or a positive number. Unparsable versions throw.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseServerVersion(a);
  const pb = parseServerVersion(b);
  if (!pa || !pb)
    throw new Error(`cannot compare versions ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  for (let i = 0; i < 3; i++) {
    const d = pa[i]! - pb[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The warnings for a server that reports `version` (pure, so it can be unit-tested). */
export function natsServerWarnings(version: string, opts: { jetstream?: boolean } = {}): string[] {
  const warnings: string[] = [];
  if (opts.jetstream === false) {
    warnings.push('JetStream is not enabled on this NATS server');
  }
  if (!parseServerVersion(version)) {
    warnings.push(`cannot parse the NATS server version ${JSON.stringify(version)}`);
  } else if (compareVersions(version, MIN_RECOMMENDED_NATS_VERSION) < 0) {
    warnings.push(
      `nats-server ${version} is older than ${MIN_RECOMMENDED_NATS_VERSION}: Jepsen found bugs in older ` +
        'servers that lose acknowledged messages or whole streams. Use a current server in production; ' +
        'the outbox reconciler covers the gap.',
    );
  }
  return warnings;
}

/** Reads the version of the server `nc` is connected to and returns the warnings for it. */
export function checkNatsServer(nc: NatsConnection): NatsServerCheck {
  const version = nc.info?.version ?? 'unknown';
  return { version, warnings: natsServerWarnings(version, { jetstream: nc.info?.jetstream }) };
}
