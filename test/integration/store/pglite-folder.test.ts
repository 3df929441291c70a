// The embedded PGlite on a real data folder: a new folder is created (initdb runs in a child process), PostgreSQL
// starts with the service's memory settings, and what was written is there when the folder is opened again.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';

const root = mkdtempSync(join(tmpdir(), 'smsc-connect-pglite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PGlite data folder', () => {
  it('is created on first open with a 32 MB buffer pool and keeps its data across reopening', async () => {
    const dataDir = join(root, 'data');
    const first = await openDatabase({ dataDir });
    try {
      expect(await first.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '32MB' }]);
      await first.runScript('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7);');
    } finally {
      await first.close();
    }
    const again = await openDatabase({ dataDir });
    try {
      expect(await again.query('SELECT n FROM kept')).toEqual([{ n: 7 }]);
      expect(await again.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '32MB' }]);
    } finally {
      await again.close();
    }
  });

  it('builds a new folder aside, so that nothing half-made is left, and refuses a folder of other files', async () => {
    const dataDir = join(root, 'fresh');
    const db = await openDatabase({ dataDir });
    await db.close();
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, '.initdb'))).toBe(false);
    const occupied = join(root, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'notes.txt'), 'not a database');
    await expect(openDatabase({ dataDir: occupied })).rejects.toThrow(/holds files \(notes.txt\) but no PostgreSQL database/);
  });
});
