// IncomingPhoneNumbers: the numbers the SMSC routes to this installation. A number is unique across all
// accounts (the unique index), because an inbound message must map to exactly one account.
import type { Database } from './database.js';
import type { PhoneNumber } from '../generated/prisma/client.js';
import type { SenderDirectory } from '../messaging/ports.js';
import { newSid } from '../messaging/sid.js';
import { inListOrder, keysetQuery, type KeysetPosition } from './keyset.js';
import { translateDatabaseError } from './prisma-errors.js';
import { changingDirectory } from './directory-version.js';

export type { PhoneNumber };

export interface PhoneNumberSettings {
  friendlyName?: string | undefined;
  smsUrl?: string | null | undefined;
  smsMethod?: string | undefined;
  smsFallbackUrl?: string | null | undefined;
  smsFallbackMethod?: string | undefined;
  statusCallback?: string | null | undefined;
  statusCallbackMethod?: string | undefined;
}

export async function createPhoneNumber(
  db: Database,
  options: { accountSid: string; phoneNumber: string; settings: PhoneNumberSettings },
): Promise<PhoneNumber> {
  try {
    return await changingDirectory(() => db.prisma.phoneNumber.create({
      data: {
        sid: newSid('PN'),
        accountSid: options.accountSid,
        phoneNumber: options.phoneNumber,
        ...options.settings,
        friendlyName: options.settings.friendlyName ?? options.phoneNumber,
      },
    }));
  } catch (error) {
    translateDatabaseError(error, { unique: { key: 'phoneNumberTaken', params: { phoneNumber: options.phoneNumber } } });
  }
}

export async function findPhoneNumber(db: Database, options: { accountSid: string; sid: string }): Promise<PhoneNumber | null> {
  return db.prisma.phoneNumber.findFirst({ where: { sid: options.sid, accountSid: options.accountSid } });
}

/** Inbound routing: which account owns the number a message was sent to. */
export async function findPhoneNumberByNumber(db: Database, options: { phoneNumber: string }): Promise<PhoneNumber | null> {
  return db.prisma.phoneNumber.findUnique({ where: { phoneNumber: options.phoneNumber } });
}

export async function listPhoneNumbers(
  db: Database,
  options: { accountSid: string; phoneNumber?: string | undefined; friendlyName?: string | undefined; position?: KeysetPosition | undefined; offset?: number; limit: number },
): Promise<PhoneNumber[]> {
  const keyset = keysetQuery(options.position);
  const rows = await db.prisma.phoneNumber.findMany({
    where: {
      accountSid: options.accountSid,
      ...(options.phoneNumber === undefined ? {} : { phoneNumber: options.phoneNumber }),
      ...(options.friendlyName === undefined ? {} : { friendlyName: options.friendlyName }),
      ...keyset.where,
    },
    orderBy: keyset.orderBy,
    take: options.limit,
    ...(options.position ? {} : { skip: options.offset ?? 0 }),
  });
  return inListOrder(rows, options.position);
}

export async function updatePhoneNumber(
  db: Database,
  options: { accountSid: string; sid: string; settings: PhoneNumberSettings },
): Promise<PhoneNumber | null> {
  const { count } = await changingDirectory(() => db.prisma.phoneNumber.updateMany({
    where: { sid: options.sid, accountSid: options.accountSid },
    data: options.settings,
  }));
  return count === 0 ? null : findPhoneNumber(db, options);
}

export async function deletePhoneNumber(db: Database, options: { accountSid: string; sid: string }): Promise<boolean> {
  const { count } = await changingDirectory(() => db.prisma.phoneNumber.deleteMany({ where: { sid: options.sid, accountSid: options.accountSid } }));
  return count > 0;
}

export function createSenderDirectory(db: Database): SenderDirectory {
  return {
    async isIncomingNumberOf(options) {
      const rows = await db.query('SELECT 1 FROM phone_numbers WHERE phone_number = $1 AND account_sid = $2', [
        options.phoneNumber, options.accountSid,
      ]);
      return rows.length > 0;
    },
  };
}
