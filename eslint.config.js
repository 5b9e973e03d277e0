import { config } from '@murmur/eslint-config';

// Root-level scripts only; each package lints itself with the same shared config.
export default [
  { ignores: ['services/**', 'packages/**', 'bench/**'] },
  ...config({ allowProcessEnv: ['**'] }),
];
