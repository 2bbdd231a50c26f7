// Prisma CLI configuration. The native engines cannot be downloaded here, so the CLI uses the
// JS engine through the pg driver adapter. DATABASE_URL only matters for commands that talk to a
// database (`migrate diff` against a live db, `db execute`); `generate` needs none, but the CLI
// falls back to the native engine when the variable is unset, so a harmless default is given.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

process.env.DATABASE_URL ??= 'postgresql://localhost:5432/contactdesk_unused';
const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: url, idleTimeoutMillis: 500 }),
});
