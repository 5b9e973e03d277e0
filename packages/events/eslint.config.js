import { config } from '@murmur/eslint-config';

// src/testing.ts reads TEST_NATS_URL: it is test tooling, not service configuration.
export default config({ allowProcessEnv: ['src/config.ts', 'src/testing.ts'] });
