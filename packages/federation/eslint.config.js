import { config } from '@murmur/eslint-config';

export default config();
