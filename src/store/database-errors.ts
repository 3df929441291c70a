// What a failed database call means for the work that made it. Two kinds matter outside the store:
//
// - the connection was lost (the server restarted or failed over, an operator ran pg_terminate_backend, the
//   network dropped): a statement that was running may or may not have committed, and the next attempt runs on a
//   new connection;
// - the statement ran out of time (statement_timeout, lock_timeout, no pool connection in time): PostgreSQL
//   cancelled it, so nothing it did was committed;
// - the server refused the work as a whole (a read-only server after a failover, disk full, out of memory, too
//   many connections): nothing was committed either.
//
// Prisma wraps driver errors; the original SQLSTATE or driver message is then found further down `cause`.

/** SQLSTATEs of a lost or refused connection: class 08, and 57P01-57P03 (administrator, crash, starting up). */
const CONNECTION_STATES = /^(08[0-9A-Z]{3}|57P0[123])$/;
/** SQLSTATEs of a statement cut short by a timeout: 57014 query_canceled (statement_timeout), 55P03 lock_not_available. */
const TIMEOUT_STATES = new Set(['57014', '55P03']);
/** SQLSTATEs of a server that takes no writes now: 25006 read_only_sql_transaction, class 53 insufficient resources. */
const UNAVAILABLE_STATES = /^(25006|53[0-9A-Z]{3})$/;
/** node-postgres and socket errors that carry no SQLSTATE. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Connection terminated due to connection timeout',
];
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg-pool's message when no connection became free within connectionTimeoutMillis. */
const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

export type DatabaseFailure = 'connection-lost' | 'timeout' | 'unavailable';

/** Classifies an error from a database call; null for everything else (data errors, bugs). */
export function databaseFailure(error: unknown): DatabaseFailure | null {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 6; depth += 1) {
    const record = e as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    for (const code of [record.code, record.originalCode, sqlStateOfMeta(record.meta)]) {
      if (typeof code !== 'string') continue;
      if (TIMEOUT_STATES.has(code)) return 'timeout';
      if (CONNECTION_STATES.test(code) || SOCKET_CODES.has(code)) return 'connection-lost';
      if (UNAVAILABLE_STATES.test(code)) return 'unavailable';
    }
    const message = typeof record.message === 'string' ? record.message : '';
    if (message.includes(POOL_TIMEOUT_MESSAGE)) return 'timeout';
    if (CONNECTION_MESSAGES.some((text) => message.startsWith(text))) return 'connection-lost';
    e = record.cause;
  }
  return null;
}

/** Prisma's driver-adapter errors keep the SQLSTATE in meta.driverAdapterError.cause.originalCode. */
function sqlStateOfMeta(meta: unknown): unknown {
  const adapter = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } } | undefined)?.driverAdapterError;
  return adapter?.cause?.originalCode ?? adapter?.cause?.code;
}
