import { config } from '@murmur/eslint-config';

// The bench is tooling, not a service: it loads data with COPY through `pg` directly and reads its
// settings from the environment where it runs.
export default config({ allowDatabaseDrivers: true, allowProcessEnv: ['src/**', 'scripts/**'] });
