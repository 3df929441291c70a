// One fresh PostgreSQL database per test file, cloned from the migrated template (see global-setup.ts),
// and an in-memory PGlite alternative for the embedded path.
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/store/database.js';
import { applyMigrations } from '../../src/store/migrations.js';
import { databaseUrl, templateDatabaseName, withAdminClient } from './postgres-admin.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** Opens a new handle (a service instance under test opens its own). */
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `smsc_connect_test_${randomBytes(6).toString('hex')}`;
  const template = templateDatabaseName();
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = databaseUrl(name);
  return {
    url,
    name,
    open: () => openDatabase({ databaseUrl: url, dataDir: '' }),
    drop: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** An embedded, in-memory PGlite database with the migrations applied. */
export async function createPgliteDatabase(): Promise<Database> {
  const db = await openDatabase({ dataDir: 'memory://' });
  await applyMigrations(db);
  return db;
}
