import { integrationConfig } from '@murmur/devkit/vitest';

export default integrationConfig;
