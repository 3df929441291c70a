// The data half of migration 20261203120100_auth_token_encryption: a SQL migration cannot know the key (it lives
// in the configuration), so every start (serve, migrate, accounts create) runs this step after the SQL ones.
//
// With AUTH_TOKEN_ENCRYPTION_KEY: every token still in plain text, or sealed by AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS,
// is rewritten sealed by the key. Without it: tokens stay as they are and one warning says so. Either way every
// stored token must open with the keys at hand; a token sealed by another key (or sealed while no key is set)
// stops the start with an error naming the key ids, rather than letting requests fail one by one later.
//
// Two instances starting together: the rewrite runs in one transaction under an advisory lock (PostgreSQL), and
// each UPDATE applies only if the row still holds the value that was read, so a row is sealed exactly once.
import type { Logger } from 'pino';
import { AuthTokenKeyError, createAuthTokenCipher, type AuthTokenKeys } from './auth-token-cipher.js';
import type { Database } from './database.js';

const AUTH_TOKEN_LOCK_ID = 72707372;

export interface AuthTokenStepResult {
  /** Accounts whose token this run sealed (plain text before) or re-sealed (previous key before). */
  sealed: number;
  /** Accounts whose token is stored in plain text after the run. */
  plain: number;
}

/**
 * Seals what must be sealed, checks that every token can be read, and returns the database handle with the
 * cipher attached (Database.authTokens), which the account store and the webhook claim read tokens through.
 */
export async function prepareAuthTokens(options: { db: Database; keys: AuthTokenKeys; logger: Logger }): Promise<Database> {
  const cipher = createAuthTokenCipher(options.keys);
  const db: Database = { ...options.db, authTokens: cipher };
  const result = await sealAuthTokens(db);
  const log = options.logger.child({ component: 'auth-tokens' });
  if (!cipher.encrypting) {
    log.warn({ accounts: result.plain }, 'auth tokens are stored in plain text: set AUTH_TOKEN_ENCRYPTION_KEY to encrypt them at rest');
  } else if (result.sealed > 0) {
    log.info({ sealed: result.sealed, keyId: cipher.keyId }, 'auth tokens encrypted with AUTH_TOKEN_ENCRYPTION_KEY');
  }
  return db;
}

/** The rewrite itself, with the cipher already attached to `db`. Idempotent. */
export async function sealAuthTokens(db: Database): Promise<AuthTokenStepResult> {
  const cipher = db.authTokens;
  if (cipher === undefined) throw new Error('sealAuthTokens needs a database with authTokens attached (prepareAuthTokens)');
  return db.transaction(async (query) => {
    if (db.kind === 'postgres') await query('SELECT pg_advisory_xact_lock($1)', [AUTH_TOKEN_LOCK_ID]);
    const rows = await query<{ sid: string; auth_token: string }>('SELECT sid, auth_token FROM accounts ORDER BY sid');
    const unreadable: string[] = [];
    const rewrite: Array<{ sid: string; from: string; to: string }> = [];
    for (const row of rows) {
      let token: string;
      try {
        token = cipher.open(row.sid, row.auth_token);
      } catch (error) {
        if (!(error instanceof AuthTokenKeyError)) throw error;
        unreadable.push(error.message);
        continue;
      }
      if (cipher.needsSealing(row.auth_token)) rewrite.push({ sid: row.sid, from: row.auth_token, to: cipher.seal(row.sid, token) });
    }
    if (unreadable.length > 0) {
      const shown = unreadable.slice(0, 3).join('; ');
      throw new AuthTokenKeyError(
        `${unreadable.length} of ${rows.length} stored auth tokens cannot be read: ${shown}${unreadable.length > 3 ? '; …' : ''}. ` +
          'Start with the key they were encrypted with (AUTH_TOKEN_ENCRYPTION_KEY, or AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS during a rotation).',
      );
    }
    const updated = rewrite.length === 0 ? [] : await query<{ sid: string }>(
      `UPDATE accounts a SET auth_token = i.sealed
       FROM unnest($1::text[], $2::text[], $3::text[]) AS i(sid, stored, sealed)
       WHERE a.sid = i.sid AND a.auth_token = i.stored
       RETURNING a.sid`,
      [rewrite.map((r) => r.sid), rewrite.map((r) => r.from), rewrite.map((r) => r.to)],
    );
    const plain = cipher.encrypting ? 0 : rows.length;
    return { sealed: updated.length, plain };
  });
}
