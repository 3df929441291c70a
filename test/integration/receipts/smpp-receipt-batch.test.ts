// Issue 13, point 2: SMPP receipts take the grouped, batched receipt path SIP uses, and a receipt that arrives
// before its own submit outcome is written waits in memory for that write (dispatch/pending-outcomes.ts) instead
// of being parked in delivery_receipts. Single-part SMPP messages may keep their id on messages.smsc_message_id.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { PendingOutcomes } from '../../../src/dispatch/pending-outcomes.js';
import { DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from '../../../src/messaging/apply-receipt.js';
import { createReceiptBatcher } from '../../../src/messaging/receipt-batch.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { insertAccount, insertOutbound } from '../inbound/inbound-fixtures.js';

const HANDSET = '+447700900123';
const SENDER = '+15005550006';
let db: Database;
let accountSid: string;
let policy: ReceiptPolicy;
let cleanup: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  db = await testDb.open();
  cleanup.push(() => db.close());
  accountSid = await insertAccount(db);
  policy = { ...DEFAULT_RECEIPT_POLICY, smscIdMatches: { exact: 0, alternate: 0, ambiguous: 0 } };
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function smppMessage(body: string, status: 'sending' | 'sent'): Promise<string> {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body, status });
  await db.query("UPDATE messages SET route = 'smpp' WHERE sid = $1", [sid]);
  return sid;
}

const receipt = (smscMessageId: string) => ({
  smscMessageId, stat: 'DELIVRD', err: '000', rawText: `id:${smscMessageId} sub:001 dlvrd:001 stat:DELIVRD err:000`,
  fromAddress: HANDSET, toAddress: SENDER,
});

async function statusOf(sid: string): Promise<string> {
  const [row] = await db.query<{ status: string }>('SELECT status FROM messages WHERE sid = $1', [sid]);
  return row?.status ?? 'missing';
}

/** Commits of this test's database so far, as the statistics say once every backend has reported. */
/**
 * The database as the batcher sees it, counting what commits: each transaction, and each statement run outside one
 * (autocommit). Counted in the client rather than read from pg_stat_database, whose counters a backend may report
 * seconds late (an undercount there would let a receipt-per-transaction batcher pass).
 */
function commitCounting(target: Database): { db: Database; commits: () => number } {
  let commits = 0;
  const counted = new Proxy(target, {
    get(object, property) {
      if (property === 'transaction' || property === 'query') {
        const method = Reflect.get(object, property, object) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          commits += 1;
          return method.apply(object, args);
        };
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
  return { db: counted, commits: () => commits };
}

describe('SMPP receipts in the receipt batch', () => {
  it('applies receipts that arrive before their submit outcome is written, without parking them', async () => {
    const pending = new PendingOutcomes();
    const batcher = createReceiptBatcher({ db, policy, unwritten: pending });
    // Three messages still `sending`: the SMSC answered (ids 101..103) and receipted at once; the dispatcher's
    // outcome batch has not been written yet. The first two are single-part (id on the message), the third
    // has a submission row, as multipart messages (and single-part ones before issue 13) do.
    const sids = [await smppMessage('one', 'sending'), await smppMessage('two', 'sending'), await smppMessage('three', 'sending')];
    sids.forEach((sid, i) => pending.answered({ sid, to: HANDSET, from: SENDER }, [`10${i + 1}`]));
    const results = Promise.all(['101', '102', '103'].map((id) => batcher.applySmppReceipt(receipt(id))));
    await sleep(200);
    // Nothing is stored while the receipts wait for the outcome write.
    const [waiting] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_receipts');
    expect(waiting?.n).toBe(0);
    await db.transaction(async (query) => {
      await query("UPDATE messages SET status = 'sent', date_sent = now(), smsc_message_id = '101' WHERE sid = $1", [sids[0]]);
      await query("UPDATE messages SET status = 'sent', date_sent = now(), smsc_message_id = '102' WHERE sid = $1", [sids[1]]);
      await query("UPDATE messages SET status = 'sent', date_sent = now() WHERE sid = $1", [sids[2]]);
      await query("INSERT INTO smsc_submissions (message_sid, route, smsc_message_id) VALUES ($1, 'smpp', '103')", [sids[2]]);
    });
    pending.written(sids);
    expect(await results).toEqual(sids.map((sid) => expect.objectContaining({ outcome: 'matched', messageSid: sid, status: 'delivered' })));
    for (const sid of sids) expect(await statusOf(sid)).toBe('delivered');
    // Settling receipts are kept on their messages: no delivery_receipts row at all.
    expect(await db.query('SELECT id FROM delivery_receipts')).toEqual([]);
    const kept = await db.query<{ id: string | null }>(`SELECT receipt->>'smscMessageId' AS id FROM messages ORDER BY sid`);
    expect(kept.map((k) => k.id).sort()).toEqual(['101', '102', '103']);
    // A single-part message's receipt touches no submission row; the multipart-style one marks its part.
    const parts = await db.query<{ status: string | null }>('SELECT status FROM smsc_submissions');
    expect(parts).toEqual([{ status: 'delivered' }]);
    expect(policy.smscIdMatches).toEqual({ exact: 3, alternate: 0, ambiguous: 0 });
    expect(pending.size).toBe(0);
  });

  it('still parks a receipt for a message this instance is not sending', async () => {
    const batcher = createReceiptBatcher({ db, policy, unwritten: new PendingOutcomes() });
    expect(await batcher.applySmppReceipt(receipt('999'))).toMatchObject({ outcome: 'parked' });
  });

  it('applies 200 SMPP receipts in a handful of transactions', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const sid = await smppMessage(`bulk ${i}`, 'sent');
      await db.query('UPDATE messages SET smsc_message_id = $2 WHERE sid = $1', [sid, `${5000 + i}`]);
      sids.push(sid);
    }
    const counting = commitCounting(db);
    const batcher = createReceiptBatcher({ db: counting.db, policy, unwritten: new PendingOutcomes() });
    const results = await Promise.all(sids.map((_, i) => batcher.applySmppReceipt(receipt(`${5000 + i}`))));
    const commits = counting.commits();
    expect(results.map((r) => r.outcome)).toEqual(sids.map(() => 'matched'));
    const [delivered] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE status = 'delivered'");
    expect(delivered?.n).toBe(200);
    console.info(`200 SMPP receipts: ${commits} commits`);
    // Settling receipts leave neither a delivery_receipts row nor an event row: only the message's own update.
    expect(await db.query('SELECT id FROM delivery_receipts')).toEqual([]);
    expect(await db.query(`SELECT id FROM message_events WHERE type = 'receipt'`)).toEqual([]);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(20);
  });

  it('absorbs a repeat of a settling receipt and keeps a row for a late final receipt of a settled message', async () => {
    const sid = await smppMessage('twice', 'sent');
    await db.query("UPDATE messages SET smsc_message_id = '4242' WHERE sid = $1", [sid]);
    const batcher = createReceiptBatcher({ db, policy, unwritten: new PendingOutcomes() });
    expect(await batcher.applySmppReceipt(receipt('4242'))).toEqual({ outcome: 'matched', receiptId: null, messageSid: sid, status: 'delivered' });
    // The very same deliver_sm again (our deliver_sm_resp was lost): recognised on the message, nothing stored.
    expect(await batcher.applySmppReceipt(receipt('4242'))).toEqual({ outcome: 'duplicate', receiptId: null, messageSid: sid });
    expect(await db.query('SELECT id FROM delivery_receipts')).toEqual([]);
    // Another final receipt for it (corrections off): late, it changes nothing and keeps a row linked to the message.
    const late = await batcher.applySmppReceipt({
      ...receipt('4242'), stat: 'UNDELIV', err: '005', rawText: 'id:4242 sub:001 dlvrd:000 stat:UNDELIV err:005',
    });
    expect(late).toMatchObject({ outcome: 'matched', messageSid: sid, status: null });
    const rows = await db.query<{ id: string; message_sid: string; stat: string }>('SELECT id::text AS id, message_sid, stat FROM delivery_receipts');
    expect(rows).toEqual([{ id: late.receiptId, message_sid: sid, stat: 'UNDELIV' }]);
    expect(await statusOf(sid)).toBe('delivered');
    const [kept] = await db.query<{ stat: string }>(`SELECT receipt->>'stat' AS stat FROM messages WHERE sid = $1`, [sid]);
    expect(kept?.stat).toBe('DELIVRD');
  });
});

describe('SIP receipts in the receipt batch', () => {
  it('waits for the write of a message answered by the SMSC but not written yet, instead of parking the receipt', async () => {
    const pending = new PendingOutcomes();
    const batcher = createReceiptBatcher({ db, policy, unwritten: pending });
    const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'Your code is 4711', status: 'sending' });
    pending.answered({ sid, to: HANDSET, from: SENDER });
    const now = formatReceiptDate(new Date());
    const result = batcher.applySipReceipt({
      fromUser: HANDSET.replace(/^\+/, ''), toUser: SENDER.replace(/^\+/, ''),
      rawText: buildDeliveryReceipt({ id: '77', sub: '001', dlvrd: '001', submitDate: now, doneDate: now, stat: 'DELIVRD', err: '000', text: 'Your code is 4711' }),
    });
    await sleep(200);
    await db.query("UPDATE messages SET status = 'sent', date_sent = now() WHERE sid = $1", [sid]);
    pending.written([sid]);
    expect(await result).toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered', receiptId: null });
    expect(await db.query('SELECT id FROM delivery_receipts')).toEqual([]);
  });
});
