import { config } from '@murmur/eslint-config';

export default [
  { ignores: ['tests/screenshots/**'] },
  ...config(),
  {
    // The scripts the browser runs: plain ES2019, browser globals.
    files: ['assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        Intl: 'readonly',
        Symbol: 'readonly',
        window: 'readonly',
        EventSource: 'readonly',
        DOMParser: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
      },
    },
  },
];
