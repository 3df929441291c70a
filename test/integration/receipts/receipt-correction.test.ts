// Issue 14 point 7: a late carrier receipt corrects the SMSC's early one. The Restcomm SMSC can send its own
// DELIVRD and then the operator's UNDELIV for the same SMSC message id (smscgateway issue 305); within
// RECEIPT_CORRECTION_WINDOW_S the second final receipt wins, both stay in the events, and a status callback
// reports the correction. Both paths: one receipt at a time (applySipReceipt) and batched (applySipReceiptsWith).
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { applySipReceipt, applySmppReceipt, DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from '../../../src/messaging/apply-receipt.js';
import { applySipReceiptsWith } from '../../../src/messaging/receipt-batch.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { insertAccount, insertOutbound } from '../inbound/inbound-fixtures.js';

const HANDSET = '+447700900123';
const SENDER = '+15005550006';
let db: Database;
let accountSid: string;
let cleanup: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  db = await testDb.open();
  cleanup.push(() => db.close());
  accountSid = await insertAccount(db);
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function receipt(stat: 'DELIVRD' | 'UNDELIV', text: string) {
  const now = formatReceiptDate(new Date());
  return {
    fromUser: HANDSET.slice(1), toUser: SENDER.slice(1),
    rawText: buildDeliveryReceipt({
      id: '0000012345', sub: '001', dlvrd: stat === 'DELIVRD' ? '001' : '000', submitDate: now, doneDate: now, stat,
      err: stat === 'UNDELIV' ? '005' : '000', text,
    }),
  };
}

const policy = (windowMs: number): ReceiptPolicy => ({ ...DEFAULT_RECEIPT_POLICY, correctionWindowMs: windowMs });

async function outcome(sid: string) {
  const [message] = await db.query<{ status: string; error_code: number | null }>('SELECT status, error_code FROM messages WHERE sid = $1', [sid]);
  // Events.json's receipt steps (the settling receipt is kept with the message, a correction is an event row).
  const [owner] = await db.query<{ account_sid: string }>('SELECT account_sid FROM messages WHERE sid = $1', [sid]);
  const history = (await loadMessageHistory(db, { accountSid: owner!.account_sid, sid })) ?? [];
  const events = history.filter((e) => e.type === 'receipt') as Array<{ status: string | null; detail: { stat?: string; correctedFrom?: string; ignoredStatus?: string } }>;
  const callbacks = await db.query<{ params: { MessageStatus: string } }>(
    `SELECT params FROM webhook_deliveries WHERE message_sid = $1 AND kind = 'status_callback' ORDER BY id`, [sid]);
  return { message, events, callbacks: callbacks.map((c) => c.params.MessageStatus) };
}

it('lets the operator\'s UNDELIV correct the SMSC\'s DELIVRD within the window, one receipt at a time', async () => {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'corrected', status: 'sent', statusCallback: 'http://127.0.0.1:9/s' });
  expect((await applySipReceipt(db, { ...receipt('DELIVRD', 'corrected'), policy: policy(3_600_000) })).outcome).toBe('matched');
  const second = await applySipReceipt(db, { ...receipt('UNDELIV', 'corrected'), policy: policy(3_600_000) });
  expect(second).toMatchObject({ outcome: 'matched', messageSid: sid, status: 'undelivered' });
  const seen = await outcome(sid);
  expect(seen.message).toEqual({ status: 'undelivered', error_code: expect.any(Number) });
  expect(seen.events.map((e) => [e.status, e.detail.stat, e.detail.correctedFrom])).toEqual([
    ['delivered', 'DELIVRD', undefined], ['undelivered', 'UNDELIV', 'delivered'],
  ]);
  expect(seen.callbacks).toEqual(['delivered', 'undelivered']);
  // The settling DELIVRD is kept on the message only; the correcting UNDELIV keeps its row, named by its event.
  expect(await receiptStats()).toEqual([{ stat: 'UNDELIV', message_sid: sid, id: second.receiptId }]);
  expect(await settledBy(sid)).toBe('DELIVRD');
});

/** The delivery_receipts rows: only receipts that settled nothing. */
async function receiptStats() {
  return db.query<{ id: string; stat: string; message_sid: string | null }>('SELECT id::text AS id, stat, message_sid FROM delivery_receipts ORDER BY id');
}

async function settledBy(sid: string): Promise<string | null> {
  const [row] = await db.query<{ stat: string | null }>(`SELECT receipt->>'stat' AS stat FROM messages WHERE sid = $1`, [sid]);
  return row?.stat ?? null;
}

it('does the same for receipts applied in a batch', async () => {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'batched', status: 'sent', statusCallback: 'http://127.0.0.1:9/s' });
  await db.transaction((query) => applySipReceiptsWith(query, [receipt('DELIVRD', 'batched')], { policy: policy(3_600_000), kind: db.kind }));
  await db.transaction((query) => applySipReceiptsWith(query, [receipt('UNDELIV', 'batched')], { policy: policy(3_600_000), kind: db.kind }));
  expect((await outcome(sid)).message?.status).toBe('undelivered');
  expect((await outcome(sid)).callbacks).toEqual(['delivered', 'undelivered']);
  expect((await receiptStats()).map((r) => [r.stat, r.message_sid])).toEqual([['UNDELIV', sid]]);
  expect(await settledBy(sid)).toBe('DELIVRD');
});

it('keeps the first final receipt with a window of 0', async () => {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'kept', status: 'sent', statusCallback: 'http://127.0.0.1:9/s' });
  await applySipReceipt(db, { ...receipt('DELIVRD', 'kept'), policy: policy(0) });
  await applySipReceipt(db, { ...receipt('UNDELIV', 'kept'), policy: policy(0) });
  const seen = await outcome(sid);
  expect(seen.message?.status).toBe('delivered');
  expect(seen.callbacks).toEqual(['delivered']);
});

it('corrects over SMPP too, where the receipt finds its message by id', async () => {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'by smpp', status: 'sent', statusCallback: 'http://127.0.0.1:9/s' });
  await db.query(`INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id) VALUES ($1, 'smpp', 1, 1, 'a1b2')`, [sid]);
  const base = { smscMessageId: 'a1b2', fromAddress: HANDSET.slice(1), toAddress: SENDER.slice(1), policy: policy(3_600_000) };
  await applySmppReceipt(db, { ...base, stat: 'DELIVRD', err: '000', rawText: 'id:a1b2 stat:DELIVRD err:000' });
  expect(await applySmppReceipt(db, { ...base, stat: 'UNDELIV', err: '005', rawText: 'id:a1b2 stat:UNDELIV err:005' }))
    .toMatchObject({ outcome: 'matched', messageSid: sid, status: 'undelivered' });
  const seen = await outcome(sid);
  expect(seen.message?.status).toBe('undelivered');
  expect(seen.events.at(-1)?.detail.correctedFrom).toBe('delivered');
  expect(seen.callbacks).toEqual(['delivered', 'undelivered']);
  expect((await receiptStats()).map((r) => [r.stat, r.message_sid])).toEqual([['UNDELIV', sid]]);
});

it('keeps a two-part SMPP message undelivered when its other part\'s DELIVRD comes after one part\'s UNDELIV', async () => {
  // Not a correction: the message takes its parts' verdict, and one part stays undelivered.
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'two parts', status: 'sent', statusCallback: 'http://127.0.0.1:9/s' });
  await db.query(
    `INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id) VALUES ($1, 'smpp', 1, 2, 'p1'), ($1, 'smpp', 2, 2, 'p2')`,
    [sid],
  );
  const base = { fromAddress: HANDSET.slice(1), toAddress: SENDER.slice(1), policy: policy(3_600_000) };
  expect(await applySmppReceipt(db, { ...base, smscMessageId: 'p2', stat: 'UNDELIV', err: '005', rawText: 'id:p2 stat:UNDELIV err:005' }))
    .toMatchObject({ outcome: 'matched', messageSid: sid, status: 'undelivered' });
  await applySmppReceipt(db, { ...base, smscMessageId: 'p1', stat: 'DELIVRD', err: '000', rawText: 'id:p1 stat:DELIVRD err:000' });
  const seen = await outcome(sid);
  expect(seen.message?.status).toBe('undelivered');
  expect(seen.callbacks).toEqual(['undelivered']);
  expect(await db.query('SELECT part_number, status FROM smsc_submissions WHERE message_sid = $1 ORDER BY part_number', [sid]))
    .toEqual([{ part_number: 1, status: 'delivered' }, { part_number: 2, status: 'undelivered' }]);
  // The UNDELIV part settled the message (kept on it); the later part's DELIVRD settled nothing and keeps a row.
  expect((await receiptStats()).map((r) => [r.stat, r.message_sid])).toEqual([['DELIVRD', sid]]);
  expect(await settledBy(sid)).toBe('UNDELIV');
  // Events.json lists both part receipts, the settling one with the status it set.
  expect(seen.events.map((e) => [e.status, e.detail.stat])).toEqual([['undelivered', 'UNDELIV'], [null, 'DELIVRD']]);
});
