// Accounts and subaccounts. The auth token is kept in the clear because every webhook is signed with it.
import type { Database } from './database.js';
import type { Account } from '../generated/prisma/client.js';
import { newSecret, newSid } from '../messaging/sid.js';

export type { Account };

export interface CreateAccountOptions {
  friendlyName: string;
  ownerAccountSid?: string | null;
  /** Fixed credentials (operator seeding); generated when absent. */
  sid?: string;
  authToken?: string;
}

export async function createAccount(db: Database, options: CreateAccountOptions): Promise<Account> {
  return db.prisma.account.create({
    data: {
      sid: options.sid ?? newSid('AC'),
      authToken: options.authToken ?? newSecret(),
      friendlyName: options.friendlyName,
      ownerAccountSid: options.ownerAccountSid ?? null,
    },
  });
}

/**
 * Makes sure the main account `sid` exists with `authToken` (ACCOUNT_SID/AUTH_TOKEN seeding). An existing account
 * gets the configured token, so rotating AUTH_TOKEN in the environment takes effect at the next start.
 */
export async function ensureAccount(db: Database, options: { sid: string; authToken: string }): Promise<Account> {
  return db.prisma.account.upsert({
    where: { sid: options.sid },
    create: { sid: options.sid, authToken: options.authToken, friendlyName: 'Main account' },
    update: { authToken: options.authToken },
  });
}

export async function findAccount(db: Database, sid: string): Promise<Account | null> {
  return db.prisma.account.findUnique({ where: { sid } });
}

export async function countAccounts(db: Database): Promise<number> {
  return db.prisma.account.count();
}

/** The account itself and its subaccounts, newest first (the Accounts list as a main account sees it). */
export async function listVisibleAccounts(
  db: Database,
  options: { accountSid: string; offset: number; limit: number },
): Promise<Account[]> {
  return db.prisma.account.findMany({
    where: { OR: [{ sid: options.accountSid }, { ownerAccountSid: options.accountSid }] },
    orderBy: [{ dateCreated: 'desc' }, { sid: 'desc' }],
    skip: options.offset,
    take: options.limit,
  });
}
