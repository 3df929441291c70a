// Names for the raw-pg path's statements, so that PostgreSQL parses and plans a hot query once per connection
// instead of once per call. node-postgres sends an unnamed statement as Parse + Bind + Execute every time; a named
// one is parsed on the first call on each connection and only bound and executed afterwards (the client keeps
// the per-connection record itself: Connection.parsedStatements).
//
// Each distinct SQL text gets a stable name (`smsc_<n>`) on first sight, for the life of its pool (one set of
// names per Database handle): node-postgres refuses one name for two texts, so a name is never reused. Naming is
// bounded: batched statements whose placeholder count follows the batch size would otherwise add a name (and a
// prepared statement on every connection of the pool) per size; past `maxNames` texts, and for texts that are
// plainly one-off (long, several statements), queries stay unnamed, exactly as before.
import type pg from 'pg';
import type { SqlQuery } from './database.js';

export interface StatementNamesOptions {
  /** How many distinct texts get a name at most; the rest stay unnamed. */
  maxNames?: number;
  /** Texts longer than this stay unnamed (scripts, generated one-offs). */
  maxTextLength?: number;
}

export const DEFAULT_MAX_STATEMENT_NAMES = 256;
export const DEFAULT_MAX_NAMED_TEXT_LENGTH = 8_000;

export interface StatementNames {
  /** The name for `text`, or undefined when it is to be sent unnamed. */
  nameOf(text: string): string | undefined;
  /**
   * Gives `text` a new name (or none, past the cap): its old one is prepared on some connection with a plan that
   * no longer fits (`cached plan must not change result type` after a schema change) or is gone from it
   * (isStaleStatementError), and node-postgres keeps a name per connection until it closes, so the text must be
   * prepared again under another. Only `staleName` is replaced: of several calls that failed on it at once (one
   * per connection), the first renews and the rest get its name.
   */
  renew(text: string, staleName: string): string | undefined;
  /** How many texts have a name. */
  readonly size: number;
}

export function createStatementNames(options: StatementNamesOptions = {}): StatementNames {
  const maxNames = options.maxNames ?? DEFAULT_MAX_STATEMENT_NAMES;
  const maxTextLength = options.maxTextLength ?? DEFAULT_MAX_NAMED_TEXT_LENGTH;
  // Only named texts are kept: past the cap, the texts that stay unnamed must not pile up here either.
  const names = new Map<string, string>();
  let issued = 0;
  const issue = (text: string): string | undefined => {
    // Renewed names count too: the cap bounds the prepared statements a connection can hold.
    if (issued >= maxNames) {
      names.delete(text);
      return undefined;
    }
    issued += 1;
    const name = `smsc_${issued}`;
    names.set(text, name);
    return name;
  };
  return {
    nameOf(text) {
      const known = names.get(text);
      if (known !== undefined) return known;
      return isNameable(text, maxTextLength) ? issue(text) : undefined;
    },
    renew(text, staleName) {
      const current = names.get(text);
      return current === staleName ? issue(text) : current;
    },
    get size() {
      return names.size;
    },
  };
}

/**
 * A named statement goes through the extended protocol, which takes one command: a text with a `;` inside might be
 * a script (simple protocol today) and stays unnamed. A `;` in a string literal costs only the naming.
 */
function isNameable(text: string, maxTextLength: number): boolean {
  if (text.length > maxTextLength) return false;
  return !text.trimEnd().replace(/;$/, '').includes(';');
}

/**
 * PostgreSQL's answer when a connection's prepared statement no longer serves: its result columns changed under
 * it (0A000 `cached plan must not change result type`), or the session lost it while node-postgres still counts it
 * as prepared (26000 `prepared statement … does not exist`: a DEALLOCATE ALL or DISCARD ALL on the connection, or a
 * pooler in front that moved the session to another server connection). A new name prepares it again.
 */
export function isStaleStatementError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '26000') return true;
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/**
 * A SqlQuery over node-postgres that names each statement (statement-names.ts). A named statement prepared before a
 * schema change can fail with `cached plan must not change result type` (a migration run by another instance
 * changed the columns of a `SELECT *` or `RETURNING *`), or find itself gone from its session (DEALLOCATE ALL); its
 * text then gets a new name, so that every connection prepares it afresh, and, when `retryStale`, the statement
 * runs once more under it. Both errors come at Bind, before anything ran, so running it again cannot repeat a write.
 */
export function namedQuery(
  names: StatementNames,
  run: (config: pg.QueryConfig) => Promise<pg.QueryResult>,
  options: { retryStale: boolean },
): SqlQuery {
  return async <Row>(text: string, params?: readonly unknown[]): Promise<Row[]> => {
    const values = params as unknown[] | undefined;
    const name = names.nameOf(text);
    try {
      return (await run(name === undefined ? { text, values } : { name, text, values })).rows as Row[];
    } catch (error) {
      if (name === undefined || !isStaleStatementError(error)) throw error;
      const renewed = names.renew(text, name);
      if (!options.retryStale) throw error;
      return (await run(renewed === undefined ? { text, values } : { name: renewed, text, values })).rows as Row[];
    }
  };
}
