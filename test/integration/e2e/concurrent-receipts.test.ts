// Receipts arriving together for messages with the same text, sender and handset (what the e2e bursts produce):
// each must settle a different message, oldest first, without deadlocks. The matcher reads candidates without
// locks and locks only the one it picks; a receipt that loses the race chooses again (receipt-matcher.ts).
import { afterEach, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { applySipReceipt } from '../../../src/messaging/apply-receipt.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { insertAccount, insertOutbound } from '../inbound/inbound-fixtures.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('gives 20 simultaneous receipts for 20 identical messages one message each, all delivered', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const accountSid = await insertAccount(db);
  const start = Date.now() - 60_000;
  const sids: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    sids.push(await insertOutbound(db, {
      accountSid, from: '+15005550006', to: '+447700900123', body: 'same text', status: 'sent', sentAt: new Date(start + i * 1000),
    }));
  }
  const now = formatReceiptDate(new Date());
  const results = await Promise.all(sids.map((_, i) => applySipReceipt(db, {
    fromUser: '447700900123',
    toUser: '15005550006',
    rawText: buildDeliveryReceipt({
      id: String(1_000_000_000 + i), sub: '001', dlvrd: '001', submitDate: now, doneDate: now, stat: 'DELIVRD', err: '000', text: 'same text',
    }),
  })));

  expect(results.map((r) => r.outcome)).toEqual(sids.map(() => 'matched'));
  const matched = results.map((r) => (r.outcome === 'matched' ? r.messageSid : ''));
  expect([...matched].sort()).toEqual([...sids].sort());
  const rows = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM messages GROUP BY status`);
  expect(rows).toEqual([{ status: 'delivered', n: 20 }]);
});
