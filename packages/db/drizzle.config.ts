import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/schema and committed; they are applied by src/migrate.ts.
// `generate` and `check` need no database connection.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './drizzle',
  strict: true,
});
