// vitest globalSetup for the integration project: makes sure a migrated template database exists, once per run.
// Each test file then clones it (test-database.ts), which takes milliseconds instead of re-running migrations.
import { openDatabase } from '../../src/store/database.js';
import { applyMigrations } from '../../src/store/migrations.js';
import { databaseUrl, templateDatabaseName, withAdminClient } from './postgres-admin.js';

export default async function setup(): Promise<void> {
  const template = templateDatabaseName();
  await withAdminClient(async (client) => {
    // Serialise concurrent runs (two vitest processes, or two checkouts) on the template's creation. The lock is
    // held until the template is migrated and marked, so no run clones a half-migrated template.
    await client.query('SELECT pg_advisory_lock(7270001)');
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (found.rowCount !== 0) return;
    await client.query(`CREATE DATABASE "${template}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(template), dataDir: '' });
    try {
      await applyMigrations(db);
    } catch (error) {
      await db.close();
      await client.query(`DROP DATABASE IF EXISTS "${template}"`);
      throw error;
    }
    await db.close();
    // A template must have no connections when it is cloned; mark it as one so nobody writes to it by mistake.
    await client.query(`ALTER DATABASE "${template}" WITH is_template true`);
  });
}
