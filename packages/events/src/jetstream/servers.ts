/**
 * What `NATS_URL` (and the NATS_* credential variables) mean, as options for nats.js.
 *
 * Operators list the seed servers of a cluster separated by commas, with credentials in the URLs the
 * way NATS tools accept them (`nats://user:password@host:4222`, `nats://token@host:4222`) and
 * `tls://` for TLS. nats.js itself reads only host and port from each entry: it would drop the
 * credentials and the scheme silently, so they are turned into its `user`/`pass`/`token`/`tls`
 * options here, and a list whose entries disagree is refused rather than half applied.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator } from '@nats-io/transport-node';
import type { NodeConnectionOptions } from '@nats-io/transport-node';

/** Schemes a NATS client URL may use: `tls://` asks for TLS, the others leave it to the server. */
export const NATS_URL_PROTOCOLS = ['nats:', 'tls:'] as const;
const DEFAULT_NATS_PORT = 4222;

export class NatsUrlError extends Error {
  override name = 'NatsUrlError';
}

export interface NatsServers {
  /** `host:port` of each seed server, in the given order. */
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** Some entry used `tls://`. */
  tls: boolean;
}

/** Files named by NATS_CREDS_FILE and NATS_TLS_* (paths; read when connecting). */
export interface NatsAuthFiles {
  /** A `.creds` file (user JWT and NKey seed), as `nsc` or the NATS account server writes it. */
  credsFile?: string | undefined;
  /** CA certificate to verify the servers with (implies TLS). */
  tlsCaFile?: string | undefined;
  /** Client certificate and key for mutual TLS (both or neither; implies TLS). */
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

/**
 * Parses a comma-separated list of NATS URLs. Throws {@link NatsUrlError} with a message that names
 * the problem and never carries a password.
 */
export function parseNatsServers(value: string): NatsServers {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new NatsUrlError('no NATS server given');
  const servers: string[] = [];
  const credentials = new Set<string>();
  let auth: Pick<NatsServers, 'user' | 'pass' | 'token'> = {};
  let tls = false;
  for (const entry of entries) {
    // A bare host:port is what nats.js itself accepts; give it the default scheme.
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `nats://${entry}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new NatsUrlError(`"${redactNatsUrl(entry)}" is not a URL`);
    }
    if (!(NATS_URL_PROTOCOLS as readonly string[]).includes(url.protocol)) {
      throw new NatsUrlError(
        `"${redactNatsUrl(entry)}" must use ${NATS_URL_PROTOCOLS.map((p) => `${p}//`).join(' or ')}`,
      );
    }
    if (!url.hostname) throw new NatsUrlError(`"${redactNatsUrl(entry)}" has no host`);
    if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
      throw new NatsUrlError(`"${redactNatsUrl(entry)}" must not have a path or query`);
    }
    if (url.protocol === 'tls:') tls = true;
    servers.push(`${url.hostname}:${url.port || DEFAULT_NATS_PORT}`);
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      // nats://secret@host is a token; nats://user:password@host a user and password.
      auth = url.password ? { user, pass } : { token: user };
      credentials.add(JSON.stringify(auth));
    }
  }
  if (credentials.size > 1) {
    throw new NatsUrlError('the servers carry different credentials; give the same ones to each');
  }
  return { servers, ...auth, tls };
}

/** Problems with NATS_URL and the credential files, for a service's configuration check. */
export function natsSettingsProblems(url: string, files: NatsAuthFiles = {}): string[] {
  const problems: string[] = [];
  try {
    parseNatsServers(url);
  } catch (err) {
    if (!(err instanceof NatsUrlError)) throw err;
    problems.push(`NATS_URL: ${err.message}`);
  }
  if (Boolean(files.tlsCertFile) !== Boolean(files.tlsKeyFile)) {
    problems.push('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together (mutual TLS)');
  }
  return problems;
}

/** nats.js options for `url` and the files: servers, credentials, TLS. Reads the creds file. */
export function natsConnectionOptions(
  url: string,
  files: NatsAuthFiles = {},
): Partial<NodeConnectionOptions> {
  const parsed = parseNatsServers(url);
  const options: Partial<NodeConnectionOptions> = { servers: parsed.servers };
  if (parsed.user !== undefined) {
    options.user = parsed.user;
    options.pass = parsed.pass ?? '';
  }
  if (parsed.token !== undefined) options.token = parsed.token;
  if (files.credsFile) options.authenticator = credsAuthenticator(readFileSync(files.credsFile));
  const tlsFiles = {
    ...(files.tlsCaFile ? { caFile: files.tlsCaFile } : {}),
    ...(files.tlsCertFile ? { certFile: files.tlsCertFile } : {}),
    ...(files.tlsKeyFile ? { keyFile: files.tlsKeyFile } : {}),
  };
  if (parsed.tls || Object.keys(tlsFiles).length > 0) options.tls = tlsFiles;
  return options;
}

/** The URL list without passwords or tokens, for logs and error messages. */
export function redactNatsUrl(value: string): string {
  return value.replace(/\/\/[^@/,]*@/g, '//***@');
}
