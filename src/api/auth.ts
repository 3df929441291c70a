// HTTP Basic authentication (AccountSid:AuthToken or SK…:secret) and the account rule: credentials act on their
// own account and on its subaccounts, never on a parent or a sibling. Secrets are compared in constant time,
// and an unknown username costs the same comparison as a known one.
//
// createAuthenticator() puts a short-lived cache in front of both database lookups, so that a client sending
// thousands of messages does not cost a credentials query per request (see its comment for the rules).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/database.js';
import { findAccount, type Account } from '../store/account-store.js';
import { findApiKeyBySid, hashApiKeySecret } from '../store/api-key-store.js';
import { isSid } from '../messaging/sid.js';
import { AppError } from '../errors/app-error.js';
import { TtlCache } from '../store/ttl-cache.js';
import { directoryVersion } from '../store/directory-version.js';

export interface Principal {
  /** The account whose credentials were presented (a key acts as the account that owns it). */
  accountSid: string;
  /** True when that account is a main account (no owner). */
  isMainAccount: boolean;
  via: 'auth_token' | 'api_key';
  keySid?: string;
  /** The credentials' account row, so that the common case (path account = own account) costs no second query. */
  account: Account;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The account named by {AccountSid} in the path, once authorised. */
    account: Account | null;
  }
}

export function parseBasicAuthorization(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time equality of two secrets of any length (compares their SHA-256 digests). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

function hexDigestEqual(given: string, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = Buffer.from(hashApiKeySecret(given), 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

const UNKNOWN_USER_SECRET = 'no-such-user-no-such-secret';

export async function authenticate(db: Database, options: { authorization: string | undefined }): Promise<Principal> {
  const credentials = parseBasicAuthorization(options.authorization);
  if (!credentials) throw new AppError('credentialsMissing');
  const { username, password } = credentials;
  if (isSid(username, 'SK')) {
    const key = await findApiKeyBySid(db, { sid: username });
    const ok = hexDigestEqual(password, key?.secretHash ?? hashApiKeySecret(UNKNOWN_USER_SECRET));
    if (!key || !ok) throw new AppError('credentialsInvalid');
    const account = await findAccount(db, key.accountSid);
    if (!account || account.status !== 'active') throw new AppError('credentialsInvalid');
    return { accountSid: account.sid, isMainAccount: account.ownerAccountSid === null, via: 'api_key', keySid: key.sid, account };
  }
  const account = isSid(username, 'AC') ? await findAccount(db, username) : null;
  const ok = secretsEqual(password, account?.authToken ?? UNKNOWN_USER_SECRET);
  if (!account || !ok || account.status !== 'active') throw new AppError('credentialsInvalid');
  return { accountSid: account.sid, isMainAccount: account.ownerAccountSid === null, via: 'auth_token', account };
}

/**
 * The account in the path, if the principal may act on it: its own, or a subaccount it owns. Anything else
 * (unknown, a parent, a sibling) is 401/20003, as Twilio answers "wrong account in the path".
 */
export async function authorizeAccount(db: Database, options: { principal: Principal; accountSid: string }): Promise<Account> {
  const own = options.principal.account;
  const account = own.sid === options.accountSid ? own : await findAccount(db, options.accountSid);
  return admitAccount(options.principal, account, options.accountSid);
}

/** The account rule applied to the looked-up path account (null: no such account). */
function admitAccount(principal: Principal, account: Account | null, accountSid: string): Account {
  const owns = account !== null && (account.sid === principal.accountSid || account.ownerAccountSid === principal.accountSid);
  if (!account || !owns || account.status !== 'active') throw new AppError('accountForbidden', { accountSid });
  return account;
}

export interface Authenticator {
  authenticate(options: { authorization: string | undefined }): Promise<Principal>;
  authorizeAccount(options: { principal: Principal; accountSid: string }): Promise<Account>;
  /** Forgets every remembered check: call when a key is deleted or an account or token changes. */
  forget(): void;
}

export interface AuthenticatorOptions {
  db: Database;
  /** How long a successful check is remembered; 0 turns the cache off. */
  ttlMs: number;
  maxEntries?: number;
}

/**
 * authenticate/authorizeAccount with memory. Only successes are remembered, keyed by SHA-256("user:password"),
 * so the cache never holds a secret in the clear, a failed or unknown credential always goes to the database
 * (and its constant-time comparison), and a hit needs the exact credential that succeeded. Path accounts looked
 * up for subaccount access are remembered alike and re-checked (owner, status) on every request.
 *
 * Staleness: a key deleted, a token rotated or an account changed through this process (any store write of
 * store/directory-version.ts, or forget()) takes effect here at once; one changed through ANOTHER instance keeps
 * working on this one for at most ttlMs.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const maxEntries = options.maxEntries ?? 10_000;
  const principals = new TtlCache<Principal>({ ttlMs: options.ttlMs, maxEntries, invalidatedBy: directoryVersion });
  const accounts = new TtlCache<Account>({ ttlMs: options.ttlMs, maxEntries, invalidatedBy: directoryVersion });
  const db = options.db;
  return {
    async authenticate({ authorization }) {
      const credentials = parseBasicAuthorization(authorization);
      if (!credentials) throw new AppError('credentialsMissing');
      const key = createHash('sha256').update(`${credentials.username}:${credentials.password}`, 'utf8').digest('base64');
      const known = principals.get(key);
      if (known) return known;
      const generation = principals.generation;
      const principal = await authenticate(db, { authorization });
      principals.set(key, principal, generation);
      return principal;
    },
    async authorizeAccount({ principal, accountSid }) {
      if (principal.account.sid === accountSid) return admitAccount(principal, principal.account, accountSid);
      // Another account in the path (a subaccount, or a forbidden one): remember the row, apply the rule each time.
      let account = accounts.get(accountSid) ?? null;
      if (!account) {
        const generation = accounts.generation;
        account = await findAccount(db, accountSid);
        if (account) accounts.set(accountSid, account, generation);
      }
      return admitAccount(principal, account, accountSid);
    },
    forget() {
      principals.clear();
      accounts.clear();
    },
  };
}
