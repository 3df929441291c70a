// Accounts and subaccounts. The auth token cannot be hashed (every webhook is signed with it), so it is stored
// encrypted when AUTH_TOKEN_ENCRYPTION_KEY is set (auth-token-cipher.ts) and in plain text otherwise. Every
// function here takes and returns the token in the clear: callers never see the stored form.
import type { Database } from './database.js';
import type { Account } from '../generated/prisma/client.js';
import { newSecret, newSid } from '../messaging/sid.js';
import { PLAIN_AUTH_TOKENS } from './auth-token-cipher.js';
import { changingDirectory } from './directory-version.js';

export type { Account };

export interface CreateAccountOptions {
  friendlyName: string;
  ownerAccountSid?: string | null;
  /** Fixed credentials (operator seeding); generated when absent. */
  sid?: string;
  authToken?: string;
}

/** The stored form of `token` for account `sid` (ciphertext when a key is configured). */
export function storedAuthToken(db: Database, sid: string, token: string): string {
  return (db.authTokens ?? PLAIN_AUTH_TOKENS).seal(sid, token);
}

/** The account with its auth token in the clear. Throws AuthTokenKeyError when the token cannot be read. */
export function withClearAuthToken(db: Database, account: Account): Account {
  return { ...account, authToken: (db.authTokens ?? PLAIN_AUTH_TOKENS).open(account.sid, account.authToken) };
}

export async function createAccount(db: Database, options: CreateAccountOptions): Promise<Account> {
  const sid = options.sid ?? newSid('AC');
  const authToken = options.authToken ?? newSecret();
  const created = await db.prisma.account.create({
    data: {
      sid,
      authToken: storedAuthToken(db, sid, authToken),
      friendlyName: options.friendlyName,
      ownerAccountSid: options.ownerAccountSid ?? null,
    },
  });
  return { ...created, authToken };
}

/**
 * Makes sure the main account `sid` exists with `authToken` (ACCOUNT_SID/AUTH_TOKEN seeding). An existing account
 * gets the configured token, so rotating AUTH_TOKEN in the environment takes effect at the next start.
 */
export async function ensureAccount(db: Database, options: { sid: string; authToken: string }): Promise<Account> {
  const stored = storedAuthToken(db, options.sid, options.authToken);
  const account = await changingDirectory(() => db.prisma.account.upsert({
    where: { sid: options.sid },
    create: { sid: options.sid, authToken: stored, friendlyName: 'Main account' },
    update: { authToken: stored },
  }));
  return { ...account, authToken: options.authToken };
}

export async function findAccount(db: Database, sid: string): Promise<Account | null> {
  const account = await db.prisma.account.findUnique({ where: { sid } });
  return account === null ? null : withClearAuthToken(db, account);
}

export async function countAccounts(db: Database): Promise<number> {
  return db.prisma.account.count();
}

/** The account itself and its subaccounts, newest first (the Accounts list as a main account sees it). */
export async function listVisibleAccounts(
  db: Database,
  options: { accountSid: string; offset: number; limit: number },
): Promise<Account[]> {
  const accounts = await db.prisma.account.findMany({
    where: { OR: [{ sid: options.accountSid }, { ownerAccountSid: options.accountSid }] },
    orderBy: [{ dateCreated: 'desc' }, { sid: 'desc' }],
    skip: options.offset,
    take: options.limit,
  });
  return accounts.map((account) => withClearAuthToken(db, account));
}
