// Where integration tests find PostgreSQL, and the name of the migrated template they clone.
// TEST_DATABASE_URL may point elsewhere; the default is the local server with trust auth.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { defaultMigrationsDir, readMigrations } from '../../src/store/migrations.js';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The template's name changes whenever a migration changes, so a stale template is never cloned. */
export function templateDatabaseName(): string {
  const digest = createHash('sha256');
  for (const m of readMigrations(defaultMigrationsDir())) digest.update(m.name).update(m.checksum);
  return `smsc_connect_template_${digest.digest('hex').slice(0, 12)}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
