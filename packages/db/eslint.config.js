import { config } from '@murmur/eslint-config';

// The one package allowed to import the database drivers.
export default config({ allowDatabaseDrivers: true, allowProcessEnv: ['src/**'] });
