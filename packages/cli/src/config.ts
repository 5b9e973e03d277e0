/** murmurctl's configuration: the variables it shares with the services, validated once. */
import { readEnvironment, SHARED_VARIABLES } from '@murmur/service-kit';

export const CLI_VARIABLES = {
  DATABASE_URL: SHARED_VARIABLES.DATABASE_URL,
  PUBLIC_URL: SHARED_VARIABLES.PUBLIC_URL,
  BCRYPT_COST: {
    kind: 'integer',
    description: 'bcrypt cost for the passwords `accounts create` makes (as the API)',
    default: '12',
    min: 10,
    max: 15,
  },
} as const;

export interface CliConfig {
  databaseUrl: string;
  bcryptCost: number;
  /** PUBLIC_URL's host: this server, which cannot block itself. */
  localDomain: string;
}

/** Throws ConfigurationError with every problem found. */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const values = readEnvironment(CLI_VARIABLES, env);
  return {
    databaseUrl: values.DATABASE_URL,
    bcryptCost: values.BCRYPT_COST,
    localDomain: new URL(values.PUBLIC_URL).host,
  };
}
