// Rows written and commits in the bench database, from PostgreSQL's cumulative statistics: pg_stat_user_tables
// (n_tup_ins / n_tup_upd / n_tup_del / n_tup_hot_upd per table) and pg_stat_database.xact_commit. Snapshots are
// read on their own connection to the bench database, inside a transaction that ends in ROLLBACK, so the
// reading itself adds nothing to xact_commit. PostgreSQL 15 backends flush their pending counters at transaction
// end at most once per second (PGSTAT_MIN_INTERVAL), and a backend that went idle within a second of its last
// flush waits up to 10 s (PGSTAT_IDLE_INTERVAL): settledSnapshot() polls until the table counters stop moving.
import pg from 'pg';

export interface TableCounters { inserted: number; updated: number; deleted: number; hot: number }

export interface DbSnapshot {
  at: number;
  xactCommit: number;
  tables: Record<string, TableCounters>;
}

export interface DbDelta {
  commits: number;
  rows: number;
  inserted: number;
  updated: number;
  deleted: number;
  hot: number;
  /** Per table, only tables that moved. */
  tables: Record<string, TableCounters & { rows: number }>;
}

export interface DbStatsReader {
  snapshot(): Promise<DbSnapshot>;
  /** Waits until no table counter moved for `quietMs` (at least `minWaitMs` after the call, at most `maxWaitMs`). */
  settledSnapshot(options?: { quietMs?: number; minWaitMs?: number; maxWaitMs?: number }): Promise<DbSnapshot & { waitedMs: number }>;
  close(): Promise<void>;
}

const SNAPSHOT_SQL = `
  SELECT relname, n_tup_ins::float8 AS ins, n_tup_upd::float8 AS upd, n_tup_del::float8 AS del, n_tup_hot_upd::float8 AS hot,
         (SELECT xact_commit::float8 FROM pg_stat_database WHERE datname = current_database()) AS commits
    FROM pg_stat_user_tables`;

export async function openDbStats(url: string): Promise<DbStatsReader> {
  const client = new pg.Client({ connectionString: url, application_name: 'smsc-bench-stats' });
  await client.connect();
  const snapshot = async (): Promise<DbSnapshot> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_stat_clear_snapshot()');
      const result = await client.query<{ relname: string; ins: number; upd: number; del: number; hot: number; commits: number }>(SNAPSHOT_SQL);
      const tables: Record<string, TableCounters> = {};
      let xactCommit = 0;
      for (const row of result.rows) {
        tables[row.relname] = { inserted: row.ins, updated: row.upd, deleted: row.del, hot: row.hot };
        xactCommit = row.commits;
      }
      if (result.rows.length === 0) {
        const db = await client.query<{ commits: number }>('SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = current_database()');
        xactCommit = db.rows[0]?.commits ?? 0;
      }
      return { at: Date.now(), xactCommit, tables };
    } finally {
      await client.query('ROLLBACK');
    }
  };
  return {
    snapshot,
    async settledSnapshot(options = {}) {
      const quietMs = options.quietMs ?? 11_000;
      const started = Date.now();
      const deadline = started + (options.maxWaitMs ?? quietMs + 30_000);
      await sleep(options.minWaitMs ?? 1100);
      let last = await snapshot();
      let quietSince = last.at;
      while (Date.now() < deadline && Date.now() - quietSince < quietMs) {
        await sleep(250);
        const now = await snapshot();
        if (delta(last, now).rows !== 0) quietSince = now.at;
        last = now;
      }
      return { ...last, waitedMs: Date.now() - started };
    },
    close: () => client.end(),
  };
}

export function delta(from: DbSnapshot, to: DbSnapshot): DbDelta {
  const tables: DbDelta['tables'] = {};
  const sum = { inserted: 0, updated: 0, deleted: 0, hot: 0 };
  for (const [name, now] of Object.entries(to.tables)) {
    const before = from.tables[name] ?? { inserted: 0, updated: 0, deleted: 0, hot: 0 };
    const d = { inserted: now.inserted - before.inserted, updated: now.updated - before.updated, deleted: now.deleted - before.deleted, hot: now.hot - before.hot };
    const rows = d.inserted + d.updated + d.deleted;
    if (rows === 0 && d.hot === 0) continue;
    tables[name] = { ...d, rows };
    sum.inserted += d.inserted;
    sum.updated += d.updated;
    sum.deleted += d.deleted;
    sum.hot += d.hot;
  }
  return { commits: to.xactCommit - from.xactCommit, rows: sum.inserted + sum.updated + sum.deleted, ...sum, tables };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
