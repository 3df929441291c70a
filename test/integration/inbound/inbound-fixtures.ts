// Test data for the inbound tests: accounts, numbers and outbound messages inserted with plain SQL.
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { newSecret, newSid } from '../../../src/messaging/sid.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { waitForWith } from '../../helpers/wait-for.js';

export const silentLogger = pino({ level: 'silent' });

/**
 * One test database for the whole file, opened twice: `db`, and `other` standing for a second instance (its own
 * pool). Registers the suite's beforeAll/afterAll; read the connections inside tests and hooks.
 */
export function useTwoInstances(): { readonly db: Database; readonly other: Database } {
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  let other: Database | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    other = await testDb.open();
  });
  afterAll(async () => {
    await db?.close();
    await other?.close();
    await testDb?.drop();
  });
  const opened = (handle: Database | undefined): Database => {
    if (handle === undefined) throw new Error('the test database is not open yet');
    return handle;
  };
  return {
    get db() { return opened(db); },
    get other() { return opened(other); },
  };
}

export async function insertAccount(db: Database): Promise<string> {
  const sid = newSid('AC');
  await db.query('INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, $2, $3)', [sid, 'inbound test', newSecret()]);
  return sid;
}

export async function insertNumber(
  db: Database,
  spec: { accountSid: string; phoneNumber: string; smsUrl?: string | null; smsFallbackUrl?: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, sms_url, sms_method, sms_fallback_url, sms_fallback_method)
     VALUES ($1, $2, $3, $3, $4, 'POST', $5, 'GET')`,
    [newSid('PN'), spec.accountSid, spec.phoneNumber, spec.smsUrl ?? null, spec.smsFallbackUrl ?? null],
  );
}

/** An outbound message as the dispatcher leaves it: `sent` with date_sent, or `sending` (claimed, not answered). */
export async function insertOutbound(
  db: Database,
  spec: { accountSid: string; from: string; to: string; body: string; status: 'sent' | 'sending'; sentAt?: Date; statusCallback?: string },
): Promise<string> {
  const sid = newSid('SM');
  const sentAt = spec.sentAt ?? new Date();
  await db.query(
    `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, route, receipt_requested,
       status_callback, date_sent, date_updated, date_created)
     VALUES ($1, $2, $3, $4, $5, $6, 'outbound-api', 'sip', true, $7, $8, $9, $9)`,
    [sid, spec.accountSid, spec.from, spec.to, spec.body, spec.status, spec.statusCallback ?? null,
      spec.status === 'sent' ? sentAt.toISOString() : null, sentAt.toISOString()],
  );
  return sid;
}

export interface MessageRow {
  sid: string;
  account_sid: string;
  from_address: string;
  to_address: string;
  body: string;
  status: string;
  direction: string;
  num_segments: number;
  coding: number;
  error_code: number | null;
  error_message: string | null;
  smsc_id: string | null;
  smsc_delivery_time: string | null;
  date_sent: Date | null;
}

export async function inboundMessages(db: Database): Promise<MessageRow[]> {
  return db.query<MessageRow>(`SELECT * FROM messages WHERE direction = 'inbound' ORDER BY date_created, sid`);
}

export async function messageBySid(db: Database, sid: string): Promise<MessageRow> {
  const [row] = await db.query<MessageRow>('SELECT * FROM messages WHERE sid = $1', [sid]);
  if (!row) throw new Error(`no message ${sid}`);
  return row;
}

export async function webhookRows(db: Database, messageSid: string) {
  return db.query<{ kind: string; url: string; method: string; fallback_url: string | null; fallback_method: string | null; params: Record<string, string>; state: string }>(
    'SELECT kind, url, method, fallback_url, fallback_method, params, state FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id',
    [messageSid],
  );
}

export async function receiptRows(db: Database) {
  return db.query<{ id: string; message_sid: string | null; stat: string; err: string; match_attempts: number; next_match_at: Date | null; raw_text: string; from_address: string; to_address: string; text: string }>(
    'SELECT id::text AS id, message_sid, stat, err, match_attempts, next_match_at, raw_text, from_address, to_address, text FROM delivery_receipts ORDER BY id',
  );
}

/** The types of the message's Events.json entries (its row, exceptional event rows, receipts, webhook calls). */
export async function eventTypes(db: Database, sid: string): Promise<string[]> {
  const [owner] = await db.query<{ account_sid: string }>('SELECT account_sid FROM messages WHERE sid = $1', [sid]);
  if (owner === undefined) return [];
  const events = await loadMessageHistory(db, { accountSid: owner.account_sid, sid });
  return (events ?? []).map((e) => e.type);
}

/** Polls `check` until it holds (test/helpers/wait-for.ts), with room for a loaded database. */
export const waitFor = waitForWith({ timeoutMs: 10_000, intervalMs: 20 });
