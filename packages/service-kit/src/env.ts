/**
 * Environment configuration, declared once per service as a table of variables. `readEnvironment`
 * validates every variable and reports all problems at once, each naming its variable, so a service
 * that is misconfigured stops at start-up with a message a person can act on. The same table
 * documents the variables (README, .env.example).
 */
export type VariableKind = 'string' | 'url' | 'integer' | 'boolean' | 'secret';

export interface VariableSpec<K extends VariableKind = VariableKind> {
  kind: K;
  description: string;
  /** Used when the variable is unset or empty. Without a default, the variable is required. */
  default?: string;
  /** For integers. */
  min?: number;
  max?: number;
  /** For URLs: accepted protocols, e.g. ['postgres:', 'postgresql:']. */
  protocols?: readonly string[];
  /** Allowed values for strings. */
  oneOf?: readonly string[];
  /** Optional: absent is allowed and yields undefined. */
  optional?: boolean;
}

type ValueOf<S extends VariableSpec> = S['kind'] extends 'integer'
  ? number
  : S['kind'] extends 'boolean'
    ? boolean
    : string;

export type Environment<Specs extends Record<string, VariableSpec>> = {
  [Name in keyof Specs]: Specs[Name]['optional'] extends true
    ? ValueOf<Specs[Name]> | undefined
    : ValueOf<Specs[Name]>;
};

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function parseValue(
  name: string,
  raw: string,
  spec: VariableSpec,
): { value?: unknown; problem?: string } {
  switch (spec.kind) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) return { problem: `${name} must be a whole number, got "${raw}"` };
      const value = Number(raw);
      if (spec.min !== undefined && value < spec.min)
        return { problem: `${name} must be at least ${spec.min}, got ${value}` };
      if (spec.max !== undefined && value > spec.max)
        return { problem: `${name} must be at most ${spec.max}, got ${value}` };
      return { value };
    }
    case 'boolean': {
      const lowered = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lowered)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(lowered)) return { value: false };
      return { problem: `${name} must be true or false, got "${raw}"` };
    }
    case 'url': {
      const url = URL.parse(raw);
      if (!url) return { problem: `${name} must be a URL, got "${redactUrl(raw)}"` };
      if (spec.protocols && !spec.protocols.includes(url.protocol)) {
        return {
          problem: `${name} must use ${spec.protocols.join(' or ')}, got "${url.protocol}"`,
        };
      }
      return { value: raw };
    }
    case 'secret':
      if (raw.length < 32) return { problem: `${name} must be at least 32 characters long` };
      return { value: raw };
    default:
      if (spec.oneOf && !spec.oneOf.includes(raw)) {
        return { problem: `${name} must be one of ${spec.oneOf.join(', ')}, got "${raw}"` };
      }
      return { value: raw };
  }
}

/** Hides the password of a URL so that error messages and logs never carry it. */
export function redactUrl(raw: string): string {
  const url = URL.parse(raw);
  if (!url) return raw.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  if (url.password) url.password = '***';
  return url.toString();
}

export function readEnvironment<const Specs extends Record<string, VariableSpec>>(
  specs: Specs,
  env: Record<string, string | undefined>,
): Environment<Specs> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = env[name]?.trim();
    const raw = given ? given : spec.default;
    if (raw === undefined || raw === '') {
      if (!spec.optional) problems.push(`${name} is required: ${spec.description}`);
      continue;
    }
    const { value, problem } = parseValue(name, raw, spec);
    if (problem) problems.push(problem);
    else result[name] = value;
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return result as Environment<Specs>;
}

/** Markdown table of variables, for the README and `.env.example`. */
export function describeEnvironment(specs: Record<string, VariableSpec>): string {
  const rows = Object.entries(specs).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.default !== undefined ? `\`${spec.default}\`` : spec.optional ? '(unset)' : '**required**'} | ${spec.description} |`,
  );
  return ['| Variable | Default | What it does |', '|---|---|---|', ...rows].join('\n');
}

/** TRUST_PROXY as Fastify's `trustProxy`: `none`/`false`/`off`/empty → false, else the list as given. */
export function parseTrustProxy(value: string): boolean | string {
  const lowered = value.trim().toLowerCase();
  if (['none', 'false', 'off', ''].includes(lowered)) return false;
  return value.trim();
}

/**
 * For a service's entry point: runs its configuration loader and, when the configuration is
 * invalid, prints every problem and exits with status 1 instead of a stack trace.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
