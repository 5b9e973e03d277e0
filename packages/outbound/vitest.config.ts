import { unitConfig } from '@murmur/devkit/vitest';

export default unitConfig;
