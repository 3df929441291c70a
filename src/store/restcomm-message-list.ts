// The list behind RestComm-Connect's SMS resource (spec restcomm-connect-sms.md §1.6): suffix matches on To and
// From (`LIKE '%value'`), a status set, a Body substring, a created-date window, optionally every subaccount,
// one of seven sort fields, and offset paging with a total count. Offset paging is RestComm's contract
// (Page × PageSize); the Twilio API keeps its keyset pages.
import type { MessageRecord } from '../messaging/ports.js';
import type { Database } from './database.js';
import { MESSAGE_COLUMNS } from './message-columns.js';

export const RESTCOMM_SORT_COLUMNS = {
  DateCreated: 'date_created', From: 'from_address', To: 'to_address', Direction: 'direction', Status: 'status',
  Body: 'body', Price: 'price',
} as const;

export type RestcommSortField = keyof typeof RESTCOMM_SORT_COLUMNS;

export interface RestcommMessageFilter {
  accountSid: string;
  /** Also every account whose owner is accountSid (RestComm's SubAccounts=true). */
  includeSubaccounts: boolean;
  toSuffix?: string | undefined;
  fromSuffix?: string | undefined;
  statuses?: readonly string[] | undefined;
  bodyContains?: string | undefined;
  createdFrom?: Date | undefined;
  /** Inclusive upper bound on date_created. */
  createdUntil?: Date | undefined;
}

export interface RestcommMessageQuery extends RestcommMessageFilter {
  sort: { field: RestcommSortField; descending: boolean };
  offset: number;
  limit: number;
}

/** LIKE metacharacters in a caller's value are matched literally. */
const likeLiteral = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function whereClause(filter: RestcommMessageFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [filter.accountSid];
  const where = [filter.includeSubaccounts
    ? '(account_sid = $1 OR account_sid IN (SELECT sid FROM accounts WHERE owner_account_sid = $1))'
    : 'account_sid = $1'];
  const add = (clause: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.toSuffix !== undefined) add((p) => `to_address LIKE ${p}`, `%${likeLiteral(filter.toSuffix)}`);
  if (filter.fromSuffix !== undefined) add((p) => `from_address LIKE ${p}`, `%${likeLiteral(filter.fromSuffix)}`);
  if (filter.statuses !== undefined) add((p) => `status = ANY(${p}::text[])`, filter.statuses);
  if (filter.bodyContains !== undefined) add((p) => `body LIKE ${p}`, `%${likeLiteral(filter.bodyContains)}%`);
  if (filter.createdFrom !== undefined) add((p) => `date_created >= ${p}`, filter.createdFrom);
  if (filter.createdUntil !== undefined) add((p) => `date_created <= ${p}`, filter.createdUntil);
  return { sql: where.join(' AND '), params };
}

export async function countRestcommMessages(db: Database, filter: RestcommMessageFilter): Promise<number> {
  const { sql, params } = whereClause(filter);
  const rows = await db.query<{ total: string | number }>(`SELECT count(*) AS total FROM messages WHERE ${sql}`, params);
  return Number(rows[0]?.total ?? 0);
}

export async function listRestcommMessages(db: Database, query: RestcommMessageQuery): Promise<MessageRecord[]> {
  const { sql, params } = whereClause(query);
  const column = RESTCOMM_SORT_COLUMNS[query.sort.field];
  const direction = query.sort.descending ? 'DESC' : 'ASC';
  params.push(query.limit, query.offset);
  return db.query<MessageRecord>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${sql}
     ORDER BY ${column} ${direction}, sid ${direction} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
}
