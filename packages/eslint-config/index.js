// The one lint setup shared by every package. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Database drivers are reachable only through @murmur/db, which guarantees correct access. */
const databaseDriverImports = {
  paths: [
    { name: 'pg', message: 'Use @murmur/db: it is the only road to the database.' },
    { name: 'drizzle-orm', message: 'Use @murmur/db: it is the only road to the database.' },
  ],
  patterns: [
    {
      group: ['drizzle-orm/*', 'pg/*', 'pg-*'],
      message: 'Use @murmur/db: it is the only road to the database.',
    },
  ],
};

/**
 * @param {{ allowDatabaseDrivers?: boolean, allowProcessEnv?: string[] }} [options]
 */
export function config(options = {}) {
  return tseslint.config(
    { ignores: ['dist/**', 'drizzle/**', 'coverage/**', '.turbo/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      languageOptions: {
        ecmaVersion: 2023,
        sourceType: 'module',
        globals: {
          process: 'readonly',
          console: 'readonly',
          Buffer: 'readonly',
          URL: 'readonly',
          URLSearchParams: 'readonly',
          setTimeout: 'readonly',
          clearTimeout: 'readonly',
          setInterval: 'readonly',
          clearInterval: 'readonly',
          setImmediate: 'readonly',
          AbortController: 'readonly',
          AbortSignal: 'readonly',
          TextEncoder: 'readonly',
          TextDecoder: 'readonly',
          structuredClone: 'readonly',
          fetch: 'readonly',
          Response: 'readonly',
          Request: 'readonly',
          Headers: 'readonly',
          FormData: 'readonly',
          performance: 'readonly',
          crypto: 'readonly',
        },
      },
      rules: {
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
        ],
        'no-restricted-imports': options.allowDatabaseDrivers
          ? 'off'
          : ['error', databaseDriverImports],
        eqeqeq: ['error', 'smart'],
      },
    },
    {
      // Configuration is read from the environment in one module per service, validated once.
      files: ['src/**/*.ts'],
      ignores: options.allowProcessEnv ?? ['src/config.ts'],
      rules: {
        'no-restricted-properties': [
          'error',
          {
            object: 'process',
            property: 'env',
            message: 'Read configuration in src/config.ts and pass it down.',
          },
        ],
      },
    },
  );
}
