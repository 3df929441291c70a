// Test data and helpers for the dispatcher tests: rows are inserted with plain SQL, in bulk.
import { pino } from 'pino';
import { createAccount } from '../../../src/store/account-store.js';
import type { Database } from '../../../src/store/database.js';
import { newSid } from '../../../src/messaging/sid.js';
import { createOutboundDispatcher, type OutboundDispatcherOptions } from '../../../src/dispatch/outbound-dispatcher.js';
import { waitForWith } from '../../helpers/wait-for.js';

export const silentLogger = pino({ level: 'silent' });

export interface QueuedMessageSpec {
  from?: string;
  to?: string;
  body?: string;
  coding?: number;
  udh?: string | null;
  validUntil?: Date | null;
  statusCallback?: string | null;
  route?: string | null;
  receiptRequested?: boolean;
}

/** Inserts `count` queued outbound messages due now; returns their SIDs in insertion order. */
export async function insertQueuedMessages(db: Database, accountSid: string, count: number, spec: QueuedMessageSpec = {}): Promise<string[]> {
  const sids = Array.from({ length: count }, () => newSid('SM'));
  await db.query(
    `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, coding, udh,
       valid_until, status_callback, route, receipt_requested, next_attempt_at)
     SELECT s, $2, $3, $4, $5 || ' #' || ord, 'queued', 'outbound-api', $6, $7, $8, $9, $10, $11, now()
     FROM unnest($1::text[]) WITH ORDINALITY AS t(s, ord)`,
    [
      sids,
      accountSid,
      spec.from ?? '+15005550006',
      spec.to ?? '+447700900123',
      spec.body ?? 'Hello',
      spec.coding ?? 0,
      spec.udh ?? null,
      spec.validUntil?.toISOString() ?? null,
      spec.statusCallback ?? null,
      spec.route ?? null,
      spec.receiptRequested ?? false,
    ],
  );
  return sids;
}

export async function newAccount(db: Database): Promise<string> {
  return (await createAccount(db, { friendlyName: 'dispatch test' })).sid;
}

export async function insertPhoneNumber(
  db: Database,
  spec: { accountSid: string; phoneNumber: string; statusCallback?: string | null; statusCallbackMethod?: string; smsRoute?: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, status_callback, status_callback_method, sms_route)
     VALUES ($1, $2, $3, $3, $4, $5, $6)`,
    [newSid('PN'), spec.accountSid, spec.phoneNumber, spec.statusCallback ?? null, spec.statusCallbackMethod ?? 'POST', spec.smsRoute ?? null],
  );
}

export async function statusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM messages GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Polls `check` until it holds or the timeout passes (test/helpers/wait-for.ts). */
export const waitFor = waitForWith({ timeoutMs: 15_000, intervalMs: 20 });

export type DispatcherOverrides = Partial<OutboundDispatcherOptions> & Pick<OutboundDispatcherOptions, 'db' | 'gateways'>;

/** A dispatcher with test-sized timers; every option can be overridden. */
export function testDispatcher(overrides: DispatcherOverrides) {
  return createOutboundDispatcher({
    defaultRoute: 'sip',
    instanceId: `test-${newSid('SM').slice(2, 10)}`,
    maxInFlight: 32,
    maxRatePerSecond: 0,
    senderMaxRatePerSecond: 0,
    batchSize: 100,
    leaseMs: 10_000,
    pollIntervalMs: 20,
    retry: { baseMs: 20, maxMs: 200 },
    logger: silentLogger,
    ...overrides,
  });
}
