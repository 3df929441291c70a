import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { applyMigrations, readMigrations, defaultMigrationsDir } from '../../../src/store/migrations.js';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { databaseUrl, withAdminClient } from '../../helpers/postgres-admin.js';
import { randomBytes } from 'node:crypto';

const migrations = readMigrations(defaultMigrationsDir());

describe('migrations', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it('apply on an empty PostgreSQL database and record Prisma-compatible rows', async () => {
    const name = `smsc_connect_test_${randomBytes(6).toString('hex')}`;
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    created.push({ name, url: databaseUrl(name), open: async () => { throw new Error('unused'); }, drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) });
    const db = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: '' });
    try {
      const first = await applyMigrations(db);
      expect(first.applied).toEqual(migrations.map((m) => m.name));
      const second = await applyMigrations(db);
      expect(second).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.name) });
      const rows = await db.query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date | null }>(
        'SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
      );
      expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
        migrations.map((m) => [m.name, m.checksum, 1]),
      );
      expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('two instances migrating the same database at once apply each migration once', async () => {
    const name = `smsc_connect_test_${randomBytes(6).toString('hex')}`;
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    const a = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: '' });
    const b = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: '' });
    try {
      const [ra, rb] = await Promise.all([applyMigrations(a), applyMigrations(b)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(migrations.map((m) => m.name).sort());
      const count = await a.query<{ n: string }>('SELECT count(*)::text AS n FROM "_prisma_migrations"');
      expect(count[0]?.n).toBe(String(migrations.length));
    } finally {
      await a.close();
      await b.close();
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  it('apply on embedded PGlite, and Prisma reads and writes through its adapter', async () => {
    const db = await createPgliteDatabase();
    try {
      await db.prisma.account.create({ data: { sid: 'AC' + '0'.repeat(32), friendlyName: 'x', authToken: 't' } });
      expect(await db.prisma.account.count()).toBe(1);
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"');
      expect(rows[0]?.n).toBe(migrations.length);
    } finally {
      await db.close();
    }
  });

  it('a cloned test database is migrated and usable through Prisma on PostgreSQL', async () => {
    const tdb = await createTestDatabase();
    created.push(tdb);
    const db = await tdb.open();
    try {
      await db.prisma.account.create({ data: { sid: 'AC' + '1'.repeat(32), friendlyName: 'y', authToken: 't' } });
      const found = await db.prisma.account.findUnique({ where: { sid: 'AC' + '1'.repeat(32) } });
      expect(found?.friendlyName).toBe('y');
    } finally {
      await db.close();
    }
  });
});
