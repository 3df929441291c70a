// API keys (SK…). The secret is returned once at creation and stored only as its SHA-256 hash.
import { createHash } from 'node:crypto';
import type { Database } from './database.js';
import type { ApiKey } from '../generated/prisma/client.js';
import { newSecret, newSid } from '../messaging/sid.js';
import { inListOrder, keysetQuery, type KeysetPosition } from './keyset.js';
import { changingDirectory } from './directory-version.js';

export type { ApiKey };

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export async function createApiKey(
  db: Database,
  options: { accountSid: string; friendlyName: string },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = newSecret();
  const key = await db.prisma.apiKey.create({
    data: { sid: newSid('SK'), accountSid: options.accountSid, friendlyName: options.friendlyName, secretHash: hashApiKeySecret(secret) },
  });
  return { key, secret };
}

/** For authentication: any account's key. */
export async function findApiKeyBySid(db: Database, options: { sid: string }): Promise<ApiKey | null> {
  return db.prisma.apiKey.findUnique({ where: { sid: options.sid } });
}

export async function findApiKey(db: Database, options: { accountSid: string; sid: string }): Promise<ApiKey | null> {
  return db.prisma.apiKey.findFirst({ where: { sid: options.sid, accountSid: options.accountSid } });
}

export async function listApiKeys(
  db: Database,
  options: { accountSid: string; position?: KeysetPosition | undefined; offset?: number; limit: number },
): Promise<ApiKey[]> {
  const keyset = keysetQuery(options.position);
  const rows = await db.prisma.apiKey.findMany({
    where: { accountSid: options.accountSid, ...keyset.where },
    orderBy: keyset.orderBy,
    take: options.limit,
    ...(options.position ? {} : { skip: options.offset ?? 0 }),
  });
  return inListOrder(rows, options.position);
}

export async function updateApiKey(
  db: Database,
  options: { accountSid: string; sid: string; friendlyName: string },
): Promise<ApiKey | null> {
  // The auth cache remembers a key's principal, friendly name included.
  const { count } = await changingDirectory(() => db.prisma.apiKey.updateMany({
    where: { sid: options.sid, accountSid: options.accountSid },
    data: { friendlyName: options.friendlyName },
  }));
  return count === 0 ? null : findApiKey(db, options);
}

export async function deleteApiKey(db: Database, options: { accountSid: string; sid: string }): Promise<boolean> {
  const { count } = await changingDirectory(() => db.prisma.apiKey.deleteMany({ where: { sid: options.sid, accountSid: options.accountSid } }));
  return count > 0;
}
