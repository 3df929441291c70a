// The two databases every Messaging Services test runs on: PostgreSQL (a cloned test database) and PGlite.
import { createPgliteDatabase, createTestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';

export interface Engine {
  db: Database;
  /** A second connection to the same database (PostgreSQL only: PGlite is one process per folder). */
  openAnother: (() => Promise<Database>) | null;
  drop(): Promise<void>;
}

export const engines: Array<[string, () => Promise<Engine>]> = [
  ['PostgreSQL', async () => {
    const testDb = await createTestDatabase();
    const db = await testDb.open();
    const others: Database[] = [];
    return {
      db,
      openAnother: async () => {
        const other = await testDb.open();
        others.push(other);
        return other;
      },
      drop: async () => {
        for (const other of others) await other.close();
        await db.close();
        await testDb.drop();
      },
    };
  }],
  ['PGlite', async () => {
    const db = await createPgliteDatabase();
    return { db, openAnother: null, drop: () => db.close() };
  }],
];
