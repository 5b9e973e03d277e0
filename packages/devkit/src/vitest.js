// Plain JavaScript: vitest loads config files through Node, which cannot import TypeScript from
// workspace packages (their relative imports name `.js` files that are `.ts` sources).
import { defineConfig, mergeConfig } from 'vitest/config';

/** Unit tests only: pure code, no servers. */
export const unitConfig = defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});

/** Integration tests against real PostgreSQL and NATS: each file creates its own database and stream. */
export const integrationConfig = mergeConfig(unitConfig, {
  test: {
    globalSetup: [new URL('./global-setup.ts', import.meta.url).pathname],
    testTimeout: 30_000,
  },
});
