// Receipts applied many at a time (messaging/receipt-batch.ts): the same outcomes as one at a time, with a
// number of statements that does not grow with the batch, and correct under concurrency (two batchers standing
// for two instances, a chosen message settled by someone else between the candidate query and the lock).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from '../../../src/messaging/apply-receipt.js';
import { applySipReceiptsWith, createReceiptBatcher, retryParkedReceipts } from '../../../src/messaging/receipt-batch.js';
import type { Database, SqlQuery } from '../../../src/store/database.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { insertAccount, insertOutbound, receiptRows } from '../inbound/inbound-fixtures.js';

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

let nextId = 1_000_000_000;
function receipt(options: { stat?: string; text: string; handset?: string; id?: string }) {
  const now = formatReceiptDate(new Date());
  return {
    fromUser: (options.handset ?? HANDSET).replace(/^\+/, ''),
    toUser: SENDER.replace(/^\+/, ''),
    rawText: buildDeliveryReceipt({
      id: options.id ?? String(nextId++), sub: '001', dlvrd: options.stat === 'DELIVRD' || options.stat === undefined ? '001' : '000',
      submitDate: now, doneDate: now, stat: options.stat ?? 'DELIVRD', err: options.stat === 'UNDELIV' ? '005' : '000', text: options.text,
    }),
  };
}

async function statuses(): Promise<Record<string, string>> {
  const rows = await db.query<{ sid: string; status: string }>('SELECT sid, status FROM messages');
  return Object.fromEntries(rows.map((r) => [r.sid, r.status]));
}

/** A Database whose statements are counted (transactions included). */
function counting(inner: Database): { db: Database; statements: () => number } {
  let count = 0;
  const wrap = (query: SqlQuery): SqlQuery => (async (text: string, params?: readonly unknown[]) => {
    count += 1;
    return query(text, params);
  }) as SqlQuery;
  return {
    db: { ...inner, query: wrap(inner.query), transaction: (work) => inner.transaction((query) => work(wrap(query))) },
    statements: () => count,
  };
}

describe('receipt batch', () => {
  it('settles 50 messages from 50 receipts in one batch, oldest first for identical texts, with a bounded number of statements', async () => {
    const start = Date.now() - 60_000;
    const sids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      // Two handsets, and identical texts for one of them: the heuristics must still give each its own message.
      const handset = i % 2 === 0 ? HANDSET : '+447700900999';
      sids.push(await insertOutbound(db, {
        accountSid, from: SENDER, to: handset, body: i % 2 === 0 ? 'same text' : `text ${i}`, status: 'sent',
        sentAt: new Date(start + i * 100), statusCallback: 'http://127.0.0.1:9/status',
      }));
    }
    const inputs = sids.map((_, i) => receipt({ text: i % 2 === 0 ? 'same text' : `text ${i}`, handset: i % 2 === 0 ? HANDSET : '+447700900999' }));
    const counted = counting(db);
    const results = await counted.db.transaction((query) => applySipReceiptsWith(query, inputs, { policy: DEFAULT_RECEIPT_POLICY, kind: db.kind }));

    expect(results.map((r) => r.outcome)).toEqual(sids.map(() => 'matched'));
    // Receipts for identical texts take the messages in the order both were sent.
    expect(results.map((r) => (r.outcome === 'matched' ? r.messageSid : null))).toEqual(sids);
    expect(results.every((r) => r.outcome === 'matched' && r.status === 'delivered')).toBe(true);
    expect(new Set(Object.values(await statuses()))).toEqual(new Set(['delivered']));
    const [callbacks] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE kind = 'status_callback'`);
    expect(callbacks?.n).toBe(50);
    // A receipt that settles its message leaves no event row (Events.json lists it from the message's receipts).
    const [events] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_events WHERE type = 'receipt'`);
    expect(events?.n).toBe(0);
    // ... and no delivery_receipts row either: it is kept on the message it settled (messages.receipt).
    expect(await receiptRows(db)).toEqual([]);
    expect(results.every((r) => r.outcome === 'matched' && r.receiptId === null)).toBe(true);
    const kept = await db.query<{ sid: string; raw: string | null; source: string | null }>(
      `SELECT sid, receipt->>'rawText' AS raw, receipt->>'source' AS source FROM messages ORDER BY date_sent, sid`);
    expect(kept.map((k) => [k.sid, k.raw, k.source])).toEqual(sids.map((sid, i) => [sid, inputs[i]?.rawText, 'sip']));
    // repeats (locks, lookup), corrections, match (candidates, lock), apply (update, events, callbacks).
    expect(counted.statements()).toBeLessThanOrEqual(12);
  });

  it('finds the message of a receipt among many open messages of the same pair (not only the oldest ones)', async () => {
    const start = Date.now() - 60_000;
    const sids: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      sids.push(await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: `order ${i} shipped`, status: 'sent', sentAt: new Date(start + i * 100) }));
    }
    const [result] = await db.transaction((query) => applySipReceiptsWith(query, [receipt({ text: 'order 117 shipped' })], { policy: DEFAULT_RECEIPT_POLICY, kind: db.kind }));
    expect(result).toMatchObject({ outcome: 'matched', messageSid: sids[117], status: 'delivered' });
  });

  it('answers repeats (inside the batch, of a receipt kept on its message, of a stored one) as duplicates, storing nothing twice', async () => {
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'hello', status: 'sent' });
    const first = receipt({ text: 'hello' });
    const batcher = createReceiptBatcher({ db });
    const [a, b] = await Promise.all([batcher.applySipReceipt(first), batcher.applySipReceipt(first)]);
    expect(a).toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered', receiptId: null });
    expect(b).toMatchObject({ outcome: 'duplicate', receiptId: null, messageSid: sid });
    // The settling receipt is on the message only; its repeat is recognised there.
    expect(await batcher.applySipReceipt(first)).toEqual({ outcome: 'duplicate', receiptId: null, messageSid: sid });
    expect(await receiptRows(db)).toEqual([]);
    // A receipt that settles nothing keeps its row, and a repeat of it names that row.
    const orphan = receipt({ text: 'nobody sent this', handset: '+447700900555' });
    const parked = await batcher.applySipReceipt(orphan);
    expect(parked.outcome).toBe('parked');
    expect(await batcher.applySipReceipt(orphan)).toEqual({ outcome: 'duplicate', receiptId: parked.receiptId, messageSid: null });
    expect((await receiptRows(db)).map((r) => r.id)).toEqual([parked.receiptId]);
  });

  it('keeps a row for a final receipt that comes after its message was settled (over SIP it finds no open message)', async () => {
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'settled twice', status: 'sent' });
    const batcher = createReceiptBatcher({ db, policy: { ...DEFAULT_RECEIPT_POLICY, maxMatchAttempts: 1 } });
    expect(await batcher.applySipReceipt(receipt({ text: 'settled twice', id: '77' }))).toMatchObject({ outcome: 'matched', receiptId: null });
    // Same SMSC id, another stat: no repeat; with corrections off (window 0) it is late and changes nothing.
    const late = await batcher.applySipReceipt(receipt({ text: 'settled twice', id: '77', stat: 'UNDELIV' }));
    expect(late.outcome).toBe('unmatched');
    const rows = await receiptRows(db);
    expect(rows.map((r) => [r.id, r.stat])).toEqual([[late.receiptId, 'UNDELIV']]);
    expect((await statuses())[sid]).toBe('delivered');
  });

  it('parks a receipt whose message is still sending, and matches it on retry once the message is sent', async () => {
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'early bird', status: 'sending' });
    const batcher = createReceiptBatcher({ db });
    const parked = await batcher.applySipReceipt(receipt({ text: 'early bird' }));
    expect(parked.outcome).toBe('parked');
    await db.query(`UPDATE messages SET status = 'sent', date_sent = now() WHERE sid = $1`, [sid]);
    await db.query('UPDATE delivery_receipts SET next_match_at = now()');
    expect(await retryParkedReceipts(db, { limit: 10 })).toMatchObject([{ outcome: 'matched', messageSid: sid, status: 'delivered', receiptId: parked.receiptId }]);
    // The parked row stays (it was exceptional), now linked; the message's receipt names it.
    expect((await receiptRows(db)).map((r) => [r.id, r.message_sid, r.next_match_at])).toEqual([[parked.receiptId, sid, null]]);
    const [kept] = await db.query<{ receipt_id: string | null }>(`SELECT receipt->>'receiptId' AS receipt_id FROM messages WHERE sid = $1`, [sid]);
    expect(kept?.receipt_id).toBe(parked.receiptId);
  });

  it('on the last attempt takes a message still sending, and gives it a date_sent', async () => {
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'late answer', status: 'sending' });
    const policy: ReceiptPolicy = { ...DEFAULT_RECEIPT_POLICY, maxMatchAttempts: 1 };
    const [result] = await db.transaction((query) => applySipReceiptsWith(query, [receipt({ text: 'late answer' })], { policy, kind: db.kind }));
    expect(result).toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered' });
    const [row] = await db.query<{ date_sent: Date | null }>('SELECT date_sent FROM messages WHERE sid = $1', [sid]);
    expect(row?.date_sent).not.toBeNull();
  });

  it('records an intermediate receipt (ENROUTE) as an event without changing the status, and leaves an orphan unmatched', async () => {
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'on its way', status: 'sent' });
    const policy: ReceiptPolicy = { ...DEFAULT_RECEIPT_POLICY, maxMatchAttempts: 1 };
    const results = await db.transaction((query) => applySipReceiptsWith(
      query,
      [receipt({ stat: 'ENROUTE', text: 'on its way' }), receipt({ text: 'nobody sent this', handset: '+447700900555' })],
      { policy, kind: db.kind },
    ));
    expect(results).toMatchObject([{ outcome: 'matched', messageSid: sid, status: null }, { outcome: 'unmatched' }]);
    expect((await statuses())[sid]).toBe('sent');
    const events = await db.query<{ type: string; status: string | null; receipt_id: string }>(
      `SELECT type, status, detail->>'receiptId' AS receipt_id FROM message_events WHERE message_sid = $1`, [sid]);
    expect(events).toEqual([{ type: 'receipt', status: null, receipt_id: results[0]?.receiptId }]);
    // Both settle nothing: both keep a row (the intermediate one linked to its message).
    expect((await receiptRows(db)).map((r) => [r.id, r.message_sid, r.stat])).toEqual([
      [results[0]?.receiptId, sid, 'ENROUTE'], [results[1]?.receiptId, null, 'DELIVRD'],
    ]);
    expect(await db.query(`SELECT 1 FROM messages WHERE receipt IS NOT NULL`)).toEqual([]);
  });

  it('gives two instances receiving receipts for identical texts at once one message each, without deadlock', async () => {
    const start = Date.now() - 60_000;
    const sids: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      sids.push(await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'same text', status: 'sent', sentAt: new Date(start + i * 1000) }));
    }
    const one = createReceiptBatcher({ db, maxBatchSize: 7 });
    const two = createReceiptBatcher({ db, maxBatchSize: 5 });
    const results = await Promise.all(sids.map((_, i) => (i % 2 === 0 ? one : two).applySipReceipt(receipt({ text: 'same text' }))));
    expect(results.map((r) => r.outcome)).toEqual(sids.map(() => 'matched'));
    const matched = results.map((r) => (r.outcome === 'matched' ? r.messageSid : ''));
    expect([...matched].sort()).toEqual([...sids].sort());
    expect(new Set(Object.values(await statuses()))).toEqual(new Set(['delivered']));
  });

  it.each([
    ['its status', `UPDATE messages SET status = 'delivered' WHERE sid = $1`],
    // The receipt alone (no status column read) proves the re-check reads messages.receipt.
    ['its receipt', `UPDATE messages SET receipt = '{"source":"sip"}' WHERE sid = $1`],
  ])('chooses again when the chosen message is settled (%s) by another transaction before it is locked', async (_what, settle) => {
    const start = Date.now() - 60_000;
    const older = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'same text', status: 'sent', sentAt: new Date(start) });
    const newer = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'same text', status: 'sent', sentAt: new Date(start + 1000) });
    let interfered = false;
    const results = await db.transaction((query) => {
      const meddling: SqlQuery = (async (text: string, params?: readonly unknown[]) => {
        if (!interfered && text.includes('FOR NO KEY UPDATE')) {
          interfered = true;
          // Another instance's receipt settles the older message and commits first.
          await db.query(settle, [older]);
        }
        return query(text, params);
      }) as SqlQuery;
      return applySipReceiptsWith(meddling, [receipt({ text: 'same text' })], { policy: DEFAULT_RECEIPT_POLICY, kind: db.kind });
    });
    expect(interfered).toBe(true);
    expect(results).toMatchObject([{ outcome: 'matched', messageSid: newer, status: 'delivered' }]);
  });
});
