// The raw-pg path names its statements (store/statement-names.ts): a repeated query is a prepared statement on
// its connection, the number of names is capped, and a statement whose plan went stale after a schema change
// heals, as does one its session lost (outside a transaction at once, inside one on the next transaction). One
// connection per pool here, so that pg_prepared_statements (per session) shows what that connection holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let testDb: TestDatabase;
const opened: Database[] = [];

async function open(options: { maxStatementNames?: number } = {}): Promise<Database> {
  const db = await openDatabase({ databaseUrl: testDb.url, dataDir: '', poolSize: 1, ...options });
  opened.push(db);
  return db;
}

const PREPARED = 'SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time, name';

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  for (const db of opened) await db.close();
  await testDb.drop();
});

describe('named statements on PostgreSQL', () => {
  it('prepares a repeated query once on its connection and returns the same rows as an unnamed one', async () => {
    const db = await open();
    const text = 'SELECT n, n * 2 AS twice, $2::text AS label FROM generate_series(1, $1::int) AS n ORDER BY n';
    const first = await db.query(text, [3, 'x']);
    const second = await db.query(text, [2, 'y']);
    expect(first).toEqual([{ n: 1, twice: 2, label: 'x' }, { n: 2, twice: 4, label: 'x' }, { n: 3, twice: 6, label: 'x' }]);
    expect(second).toEqual([{ n: 1, twice: 2, label: 'y' }, { n: 2, twice: 4, label: 'y' }]);
    const prepared = (await db.query<{ statement: string }>(PREPARED)).map((row) => row.statement);
    expect(prepared.filter((statement) => statement === text)).toHaveLength(1);

    const unnamed = await open({ maxStatementNames: 0 });
    expect(await unnamed.query(text, [2, 'y'])).toEqual(second);
    expect(await unnamed.query(PREPARED)).toEqual([]);
  });

  it('names the statements of a transaction on the transaction\'s connection', async () => {
    const db = await open();
    const text = 'SELECT $1::int + 1 AS next';
    const seen = await db.transaction(async (query) => {
      const rows = await query<{ next: number }>(text, [41]);
      const prepared = await query<{ statement: string }>(PREPARED);
      return { rows, prepared: prepared.map((row) => row.statement) };
    });
    expect(seen.rows).toEqual([{ next: 42 }]);
    expect(seen.prepared).toContain(text);
  });

  it('names at most maxStatementNames texts; the rest run unnamed and still answer', async () => {
    const db = await open({ maxStatementNames: 3 });
    const texts = [1, 2, 3, 4, 5].map((k) => `SELECT $1::int * ${k} AS product`);
    for (const [index, text] of texts.entries()) expect(await db.query(text, [10])).toEqual([{ product: 10 * (index + 1) }]);
    const prepared = (await db.query<{ statement: string }>(PREPARED)).map((row) => row.statement);
    expect(prepared).toEqual(texts.slice(0, 3));
  });

  it('heals a statement whose result columns changed under it (cached plan must not change result type)', async () => {
    const db = await open();
    await db.runScript('CREATE TABLE stale_plan (a int); INSERT INTO stale_plan VALUES (1);');
    const text = 'SELECT * FROM stale_plan WHERE a = $1';
    expect(await db.query(text, [1])).toEqual([{ a: 1 }]);
    await db.runScript('ALTER TABLE stale_plan ADD COLUMN b int DEFAULT 7');
    // Outside a transaction: run again under a new name, on the same connection.
    expect(await db.query(text, [1])).toEqual([{ a: 1, b: 7 }]);

    const txText = 'SELECT * FROM stale_plan WHERE a = $1 FOR UPDATE';
    expect(await db.transaction((query) => query(txText, [1]))).toEqual([{ a: 1, b: 7 }]);
    await db.runScript('ALTER TABLE stale_plan ADD COLUMN c int DEFAULT 8');
    // Inside one the failure has aborted the transaction: it fails with PostgreSQL's error; the next one works.
    await expect(db.transaction((query) => query(txText, [1]))).rejects.toMatchObject({ code: '0A000' });
    expect(await db.transaction((query) => query(txText, [1]))).toEqual([{ a: 1, b: 7, c: 8 }]);
  });

  it('prepares a statement again when its session lost it (DEALLOCATE ALL behind the driver\'s back)', async () => {
    const db = await open();
    const text = 'SELECT $1::int * 3 AS thrice';
    expect(await db.query(text, [2])).toEqual([{ thrice: 6 }]);
    await db.runScript('DEALLOCATE ALL'); // the pool's only connection: node-postgres still counts the name as prepared
    expect(await db.query(text, [3])).toEqual([{ thrice: 9 }]);
    await db.runScript('DEALLOCATE ALL');
    await expect(db.transaction((query) => query(text, [4]))).rejects.toMatchObject({ code: '26000' });
    expect(await db.transaction((query) => query(text, [4]))).toEqual([{ thrice: 12 }]);
  });
});
