// Applies prisma/migrations/*/migration.sql and records each one in `_prisma_migrations` exactly as
// `prisma migrate deploy` does (same table, same SHA-256 checksum, same advisory lock), so that either tool can
// take over from the other. We need our own runner because Prisma's schema engine is a native binary that is
// not available everywhere (and PGlite cannot be reached by it at all).
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

/** Prisma's own advisory lock key for migrations (schema-engine `ADVISORY_LOCK_TIMEOUT` lock id). */
const PRISMA_ADVISORY_LOCK_ID = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The folder holding the migrations, found relative to this file both from `src/` and from `dist/`. */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new MigrationError('prisma/migrations not found next to the installed package');
}

export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Applies every pending migration in name order. Safe to run from several instances at once. */
export async function applyMigrations(db: Database, options: { dir?: string } = {}): Promise<MigrationResult> {
  const migrations = readMigrations(options.dir ?? defaultMigrationsDir());
  const lock = db.kind === 'postgres';
  if (lock) await db.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_ID]);
  try {
    await db.runScript(CREATE_MIGRATIONS_TABLE);
    const rows = await db.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    assertNoFailedMigration(rows);
    const done = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      if (done.has(migration.name)) {
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await applyOne(db, migration);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    if (lock) await db.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_ID]);
  }
}

function assertNoFailedMigration(rows: AppliedRow[]): void {
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} started but did not finish; resolve it (prisma migrate resolve) first`,
    );
  }
}

async function applyOne(db: Database, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  // The whole migration and its bookkeeping commit together, so a crash never leaves a half-applied schema.
  await db.runScript(
    `BEGIN;
INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
  VALUES ('${id}', '${migration.checksum}', '${migration.name.replace(/'/g, "''")}', now(), 0);
${migration.sql}
;
UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = '${id}';
COMMIT;`,
  );
}
