// Messaging Services (MG…) and their sender pool. A pool entry is a row of messaging_service_numbers keyed by the
// phone number's SID, so a number is in one service at most (21712 otherwise). Tenant isolation: every query
// names the account, and a number can only join a service of the account that owns it.
import type { Database, SqlQuery } from './database.js';
import type { MessagingService } from '../generated/prisma/client.js';
import { newSid } from '../messaging/sid.js';
import { AppError } from '../errors/app-error.js';
import { isUniqueViolation } from './prisma-errors.js';
import { changingDirectory } from './directory-version.js';

export type { MessagingService };

/** The settable fields; undefined = leave alone, null = clear. */
export interface ServiceSettings {
  friendlyName?: string | undefined;
  inboundRequestUrl?: string | null | undefined;
  inboundMethod?: string | undefined;
  fallbackUrl?: string | null | undefined;
  fallbackMethod?: string | undefined;
  statusCallback?: string | null | undefined;
  stickySender?: boolean | undefined;
  mmsConverter?: boolean | undefined;
  smartEncoding?: boolean | undefined;
  scanMessageContent?: string | undefined;
  fallbackToLongCode?: boolean | undefined;
  areaCodeGeomatch?: boolean | undefined;
  synchronousValidation?: boolean | undefined;
  validityPeriod?: number | undefined;
  usecase?: string | undefined;
  useInboundWebhookOnNumber?: boolean | undefined;
  optOutReply?: string | null | undefined;
  optInReply?: string | null | undefined;
  helpReply?: string | null | undefined;
}

/** A pool number as the v1 PhoneNumbers resource shows it. */
export interface PoolNumber {
  sid: string;
  accountSid: string;
  serviceSid: string;
  phoneNumber: string;
  dateCreated: Date;
  dateUpdated: Date;
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export async function createService(db: Database, options: { accountSid: string; settings: ServiceSettings & { friendlyName: string } }): Promise<MessagingService> {
  return db.prisma.messagingService.create({
    data: { ...defined(options.settings), sid: newSid('MG'), accountSid: options.accountSid, friendlyName: options.settings.friendlyName },
  });
}

export async function findService(db: Database, options: { accountSid: string; sid: string }): Promise<MessagingService | null> {
  return db.prisma.messagingService.findFirst({ where: { sid: options.sid, accountSid: options.accountSid } });
}

/** Offset pages, newest first; one row more than asked, to tell whether a next page exists. */
export async function listServices(db: Database, options: { accountSid: string; offset: number; limit: number }): Promise<MessagingService[]> {
  return db.prisma.messagingService.findMany({
    where: { accountSid: options.accountSid },
    orderBy: [{ dateCreated: 'desc' }, { sid: 'desc' }],
    skip: options.offset,
    take: options.limit,
  });
}

export async function updateService(db: Database, options: { accountSid: string; sid: string; settings: ServiceSettings }): Promise<MessagingService | null> {
  const data = defined(options.settings);
  // An update that changes nothing is a fetch (an empty updateMany reports 0 rows on some adapters).
  if (Object.keys(data).length === 0) return findService(db, options);
  const { count } = await changingDirectory(() => db.prisma.messagingService.updateMany({ where: { sid: options.sid, accountSid: options.accountSid }, data }));
  return count === 0 ? null : findService(db, options);
}

/** Deletes the service; its pool entries and sticky mappings go with it (cascade), its messages stay. */
export async function deleteService(db: Database, options: { accountSid: string; sid: string }): Promise<boolean> {
  const { count } = await changingDirectory(() => db.prisma.messagingService.deleteMany({ where: { sid: options.sid, accountSid: options.accountSid } }));
  return count > 0;
}

const POOL_COLUMNS = `p.sid, p.account_sid AS "accountSid", s.service_sid AS "serviceSid", p.phone_number AS "phoneNumber",
  s.date_created AS "dateCreated", s.date_updated AS "dateUpdated"`;

/**
 * Adds one of the account's numbers to the pool. 21421 when the account has no such number, 21710 when it is
 * already in this service, 21712 when another service holds it.
 */
export async function addPoolNumber(db: Database, options: { accountSid: string; serviceSid: string; phoneNumberSid: string }): Promise<PoolNumber> {
  const owned = await db.query('SELECT 1 FROM phone_numbers WHERE sid = $1 AND account_sid = $2', [options.phoneNumberSid, options.accountSid]);
  if (owned.length === 0) throw new AppError('invalidPoolNumberSid', { sid: options.phoneNumberSid });
  try {
    await changingDirectory(() => db.query('INSERT INTO messaging_service_numbers (phone_number_sid, service_sid) VALUES ($1, $2)', [options.phoneNumberSid, options.serviceSid]));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [holder] = await db.query<{ service_sid: string }>('SELECT service_sid FROM messaging_service_numbers WHERE phone_number_sid = $1', [options.phoneNumberSid]);
    if (holder?.service_sid === options.serviceSid) throw new AppError('poolNumberAlreadyInService', { sid: options.phoneNumberSid }, { cause: error });
    throw new AppError('poolNumberInOtherService', { sid: options.phoneNumberSid }, { cause: error });
  }
  const number = await findPoolNumber(db, options.serviceSid, options.phoneNumberSid);
  if (number === null) throw new Error(`pool number ${options.phoneNumberSid} vanished after its insert`);
  return number;
}

export async function findPoolNumber(db: Database, serviceSid: string, phoneNumberSid: string): Promise<PoolNumber | null> {
  const rows = await db.query<PoolNumber>(
    `SELECT ${POOL_COLUMNS} FROM messaging_service_numbers s JOIN phone_numbers p ON p.sid = s.phone_number_sid
     WHERE s.service_sid = $1 AND s.phone_number_sid = $2`,
    [serviceSid, phoneNumberSid],
  );
  return rows[0] ?? null;
}

export async function listPoolNumbers(db: Database, options: { serviceSid: string; offset: number; limit: number }): Promise<PoolNumber[]> {
  return db.query<PoolNumber>(
    `SELECT ${POOL_COLUMNS} FROM messaging_service_numbers s JOIN phone_numbers p ON p.sid = s.phone_number_sid
     WHERE s.service_sid = $1 ORDER BY s.date_created, p.sid OFFSET $2 LIMIT $3`,
    [options.serviceSid, options.offset, options.limit],
  );
}

/** Removes a number from the pool; its sticky mappings go too (Twilio: a removed number loses its mappings). */
export async function removePoolNumber(db: Database, options: { serviceSid: string; phoneNumberSid: string }): Promise<boolean> {
  return changingDirectory(() => db.transaction(async (query) => {
    const removed = await query<{ phone_number: string }>(
      `WITH d AS (DELETE FROM messaging_service_numbers WHERE service_sid = $1 AND phone_number_sid = $2 RETURNING phone_number_sid)
       SELECT p.phone_number FROM d JOIN phone_numbers p ON p.sid = d.phone_number_sid`,
      [options.serviceSid, options.phoneNumberSid],
    );
    if (removed[0] === undefined) return false;
    await query('DELETE FROM sticky_senders WHERE service_sid = $1 AND from_address = $2', [options.serviceSid, removed[0].phone_number]);
    return true;
  }));
}

/** The pool's E.164 numbers, oldest entry first. */
export async function poolAddresses(query: SqlQuery, serviceSid: string): Promise<string[]> {
  const rows = await query<{ phone_number: string }>(
    `SELECT p.phone_number FROM messaging_service_numbers s JOIN phone_numbers p ON p.sid = s.phone_number_sid
     WHERE s.service_sid = $1 ORDER BY s.date_created, p.sid`,
    [serviceSid],
  );
  return rows.map((r) => r.phone_number);
}
