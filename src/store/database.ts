// Opens the one database smsc-connect runs on: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set,
// otherwise an embedded PGlite (a real PostgreSQL compiled to WASM) through pglite-prisma-adapter.
//
// Besides the Prisma client, the handle exposes the driver for two jobs Prisma is not meant for: multi-statement
// scripts (migrations) and batched hot-path SQL, where one statement per row would cap throughput. On PostgreSQL
// that SQL runs as named prepared statements (statement-names.ts): parsed and planned once per connection.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import type { AuthTokenCipher } from './auth-token-cipher.js';
import { createStatementNames, namedQuery } from './statement-names.js';

export type DatabaseKind = 'postgres' | 'pglite';

/** A parameterised SQL runner ($1, $2 … placeholders) returning rows. */
export type SqlQuery = <Row = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<Row[]>;

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /**
   * How accounts' auth tokens are stored and read (store/auth-token-cipher.ts), attached at start by
   * prepareAuthTokens (store/auth-token-encryption.ts). Absent: plain text.
   */
  readonly authTokens?: AuthTokenCipher;
  /** One parameterised statement, run on the driver directly. */
  readonly query: SqlQuery;
  /** A script of several statements without parameters (migrations). */
  runScript(sql: string): Promise<void>;
  /**
   * Runs `work` inside one transaction on one connection. PGlite has a single connection, so its transactions
   * are serialised by PGlite itself.
   */
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Identifies the pool (or PGlite instance) behind this handle. A wrapper that copies a Database
   * (`{ ...db, authTokens }`, store/auth-token-encryption.ts) keeps it, while its `transaction` still runs the
   * original's; so what is attached to a handle (the webhook outbox's runner) must be found by this, not by the
   * object. Absent on hand-made fakes: the object itself stands for it (handleOf).
   */
  readonly handle?: object;
}

/** The identity of the connection pool behind `db` (Database.handle). */
export function handleOf(db: Database): object {
  return db.handle ?? db;
}

/**
 * Work attached to one transaction (`transaction`'s query function): `beforeCommit` steps run inside it, after the
 * caller's work and before COMMIT (a failing one rolls everything back); `afterCommit` hooks run once it has
 * committed, never after a rollback. The webhook outbox uses both: all webhooks a transaction created become one
 * outbox row, written just before the commit, and are handed to the in-memory runner just after it.
 */
interface TransactionHooks {
  db: Database;
  before: Array<() => Promise<void>>;
  after: Array<() => void>;
}

const transactionHooks = new WeakMap<SqlQuery, TransactionHooks>();

/** The database of a query function that `Database.transaction` handed out; undefined for any other. */
export function transactionDatabase(query: SqlQuery): Database | undefined {
  return transactionHooks.get(query)?.db;
}

/** Runs `step` in the transaction of `query` just before its COMMIT. False if `query` is not a transaction's. */
export function beforeCommit(query: SqlQuery, step: () => Promise<void>): boolean {
  const hooks = transactionHooks.get(query);
  if (!hooks) return false;
  hooks.before.push(step);
  return true;
}

/** Runs `hook` once the transaction of `query` has committed (errors are the hook's own business). */
export function afterCommit(query: SqlQuery, hook: () => void): boolean {
  const hooks = transactionHooks.get(query);
  if (!hooks) return false;
  hooks.after.push(hook);
  return true;
}

function trackTransaction(db: Database, query: SqlQuery): TransactionHooks {
  const hooks: TransactionHooks = { db, before: [], after: [] };
  transactionHooks.set(query, hooks);
  return hooks;
}

/** Before-commit steps may add more steps (or after-commit hooks) of their own. */
async function runBeforeCommit(hooks: TransactionHooks): Promise<void> {
  for (let i = 0; i < hooks.before.length; i += 1) await (hooks.before[i] as () => Promise<void>)();
}

function runAfterCommit(hooks: TransactionHooks): void {
  for (const hook of hooks.after) {
    try {
      hook();
    } catch {
      // A hook must not turn a committed transaction into a failure for its caller.
    }
  }
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, PGlite stores its files in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder for PGlite; `memory://` keeps everything in memory (tests). */
  dataDir: string;
  /** Connections in the pg pool. */
  poolSize?: number;
  /**
   * PostgreSQL only: the longest any statement on this handle may run (statement_timeout), wait for a lock
   * (lock_timeout) or wait for a pool connection; 0 or absent = no limit. PostgreSQL cancels a statement that
   * runs out of time, so nothing it did is committed (database-errors.ts classifies the error as 'timeout').
   */
  statementTimeoutMs?: number;
  /** Told about every connection that breaks (idle or checked out); the pool replaces it on the next checkout. */
  onConnectionError?: (error: Error) => void;
  /**
   * PostgreSQL only: how many distinct SQL texts of `query` and `transaction` become named prepared statements
   * (statement-names.ts); 0 sends every statement unnamed. Default 256.
   */
  maxStatementNames?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options)
    : openPglite(options.dataDir);
}

function openPostgres(options: OpenDatabaseOptions): Database {
  const timeoutMs = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // Sent in the start-up packet, so they cost no round trip: every session of this pool has them.
    ...(timeoutMs > 0 ? { statement_timeout: timeoutMs, lock_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs } : {}),
  });
  const onConnectionError = options.onConnectionError ?? (() => undefined);
  // A client whose connection breaks emits 'error' on itself. pg-pool listens only while the client is idle (and
  // re-emits it on the pool); while a client is checked out (a transaction, a script, Prisma's interactive
  // transaction) nobody would, and an unhandled 'error' event ends the process. So every client gets a listener
  // of its own for its whole life; the query in flight is rejected by node-postgres itself.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', () => undefined); // already reported by the client's own listener
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const names = createStatementNames(options.maxStatementNames === undefined ? {} : { maxNames: options.maxStatementNames });
  // Outside a transaction a statement whose prepared form went stale is simply run again under a fresh name.
  const query = namedQuery(names, (config) => pool.query(config), { retryStale: true });
  const db: Database = {
    kind: 'postgres',
    handle: pool,
    prisma,
    query,
    async runScript(sql) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(sql);
      } catch (error) {
        // A script that opened a transaction and failed must not return its connection to the pool mid-transaction.
        broken = await rollback(client);
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        // Inside one, the failed statement has aborted the transaction: it fails, and the caller's next try
        // (a new transaction) prepares the text under its new name.
        const txQuery = namedQuery(names, (config) => client.query(config), { retryStale: false });
        const hooks = trackTransaction(db, txQuery);
        const result = await work(txQuery);
        await runBeforeCommit(hooks);
        await client.query('COMMIT');
        runAfterCommit(hooks);
        return result;
      } catch (error) {
        // A lost connection rejects the work (or its COMMIT: then whether it committed is unknown, see
        // database-errors.ts); the caller decides whether to try again, on a fresh connection.
        broken = await rollback(client);
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
  return db;
}

/** Rolls back; a connection that cannot even do that is returned as the error, so the pool discards it. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * PostgreSQL settings of the embedded PGlite, on top of PGlite's own start parameters. PGlite places shared memory
 * in its WASM heap and zero-fills it at start, so the whole buffer pool is resident from the first second: 32 MB
 * rather than PostgreSQL's default 128 MB (about 100 MB less RSS, measured). The table files behind a smaller pool
 * stay in the operating system's page cache, outside the process.
 */
const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initializePgliteFolder(dataDir);
  }
  const client = await PGlite.create(dataDir, { startParams: [...PGLITE_START_PARAMS] });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const query: SqlQuery = async <Row>(text: string, params?: readonly unknown[]) =>
    (await client.query<Row>(text, params as unknown[])).rows;
  const db: Database = {
    kind: 'pglite',
    handle: client,
    prisma,
    query,
    async runScript(sql) {
      try {
        await client.exec(sql);
      } catch (error) {
        await client.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async transaction(work) {
      let hooks: TransactionHooks | undefined;
      const result = await client.transaction(async (tx) => {
        const txQuery: SqlQuery = async <Row>(text: string, params?: readonly unknown[]) => (await tx.query<Row>(text, params as unknown[])).rows;
        hooks = trackTransaction(db, txQuery);
        const value = await work(txQuery);
        await runBeforeCommit(hooks);
        return value;
      });
      if (hooks) runAfterCommit(hooks);
      return result;
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
    },
  };
  return db;
}

/**
 * Creates a new PGlite data folder (initdb) in a short-lived child process. PGlite's initdb runs two more WASM
 * PostgreSQL instances beside the real one and never gives their memory back: done in this process, the first
 * start would leave the service holding some 500 MB it never uses again (measured: 751 MB RSS after opening a new
 * folder in-process, 180 MB when a child created it).
 */
async function initializePgliteFolder(dataDir: string): Promise<void> {
  // Built in a subfolder and moved up with PG_VERSION last, so that an interrupted first start (Ctrl-C during
  // initdb) leaves no half-made database that later starts would open. Renames stay inside `dataDir`, which
  // works when it is a mount point too.
  const building = join(dataDir, '.initdb');
  mkdirSync(dataDir, { recursive: true });
  rmSync(building, { recursive: true, force: true });
  const strangers = readdirSync(dataDir);
  if (strangers.length > 0) {
    throw new Error(`DATA_DIR ${dataDir} holds files (${strangers.slice(0, 3).join(', ')}) but no PostgreSQL database (no PG_VERSION)`);
  }
  mkdirSync(building);
  const script =
    'const { PGlite } = await import(process.argv[1]);' +
    'const db = await PGlite.create(process.argv[2], { startParams: JSON.parse(process.argv[3]) });' +
    'await db.close();';
  const args = [import.meta.resolve('@electric-sql/pglite'), building, JSON.stringify(PGLITE_START_PARAMS)];
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script, ...args]);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
  const entries = readdirSync(building).sort((a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'));
  for (const entry of entries) renameSync(join(building, entry), join(dataDir, entry));
  rmSync(building, { recursive: true });
}
