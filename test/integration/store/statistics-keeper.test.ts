import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeHotTables } from '../../../src/dispatch/statistics-keeper.js';
import type { Database } from '../../../src/store/database.js';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

async function lastAnalyzed(db: Database): Promise<Record<string, boolean>> {
  const rows = await db.query<{ relname: string; analyzed: boolean }>(
    `SELECT relname, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables
     WHERE relname IN ('messages', 'webhook_deliveries', 'delivery_receipts') ORDER BY relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, r.analyzed]));
}

describe('statistics keeper', () => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await tdb.open();
  });
  afterAll(async () => {
    await db.close();
    await tdb.drop();
  });

  it('analyses the queue tables on PostgreSQL', async () => {
    expect(await lastAnalyzed(db)).toEqual({ delivery_receipts: false, messages: false, webhook_deliveries: false });
    await analyzeHotTables(db);
    expect(await lastAnalyzed(db)).toEqual({ delivery_receipts: true, messages: true, webhook_deliveries: true });
  });

  it('analyses the queue tables on PGlite', async () => {
    const lite = await createPgliteDatabase();
    try {
      await analyzeHotTables(lite);
      expect(await lastAnalyzed(lite)).toEqual({ delivery_receipts: true, messages: true, webhook_deliveries: true });
    } finally {
      await lite.close();
    }
  });
});
