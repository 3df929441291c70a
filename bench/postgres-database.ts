// The bench's own PostgreSQL database: created empty (the service applies its migrations at start-up), dropped
// at the end with FORCE. One admin connection also answers "which backends serve the bench database".
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  /** Backend pids connected to the bench database right now. */
  backendPids(): Promise<number[]>;
  settings(): Promise<Record<string, string>>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(options: { adminUrl: string }): Promise<BenchDatabase> {
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  const name = `smsc_connect_bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async backendPids() {
      const result = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
      return result.rows.map((row) => row.pid);
    },
    settings: () => readSettings(admin),
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

async function readSettings(client: pg.Client): Promise<Record<string, string>> {
  const names = ['server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections'];
  const result = await client.query<{ name: string; setting: string }>(
    'SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name',
    [names],
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, row.setting]));
}
