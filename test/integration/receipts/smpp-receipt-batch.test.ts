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
async function commits(): Promise<number> {
  // Backends report their counts when idle, at most once a second.
  await sleep(1_500);
  await db.query('SELECT pg_stat_clear_snapshot()');
  const [row] = await db.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(row?.n ?? 0);
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
    const parked = await db.query('SELECT id FROM delivery_receipts WHERE match_attempts <> 1 OR next_match_at IS NOT NULL');
    expect(parked).toEqual([]);
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
    const batcher = createReceiptBatcher({ db, policy, unwritten: new PendingOutcomes() });
    const before = await commits();
    const results = await Promise.all(sids.map((_, i) => batcher.applySmppReceipt(receipt(`${5000 + i}`))));
    const after = await commits();
    expect(results.map((r) => r.outcome)).toEqual(sids.map(() => 'matched'));
    const [delivered] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE status = 'delivered'");
    expect(delivered?.n).toBe(200);
    // The statistics read in commits() is a transaction of its own, too.
    console.info(`200 SMPP receipts: ${after - before} commits`);
    expect(after - before).toBeLessThan(20);
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
    expect(await result).toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered' });
    const parked = await db.query('SELECT id FROM delivery_receipts WHERE match_attempts <> 1 OR next_match_at IS NOT NULL');
    expect(parked).toEqual([]);
  });
});
