import { applyD1Migrations, env } from "cloudflare:test";

// Storage is isolated per test file, so every file starts from freshly migrated databases.
for (const [binding, migrations] of Object.entries(env.TEST_MIGRATIONS)) {
  await applyD1Migrations((env as unknown as Record<string, D1Database>)[binding]!, migrations);
}
