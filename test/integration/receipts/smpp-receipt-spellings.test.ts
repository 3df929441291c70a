// SMPP receipt ids in another spelling (issue 12, point 7): the id as stored always wins; hex/decimal and
// zero-padded spellings are tried only once the stored id has found nothing on a first attempt, and only a single
// candidate is taken. Each decision is tallied for the metrics.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySmppReceipt, DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from '../../../src/messaging/apply-receipt.js';
import { retryParkedReceipts } from '../../../src/messaging/receipt-batch.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { insertAccount, insertOutbound } from '../inbound/inbound-fixtures.js';

const HANDSET = '+447700900123';
const SENDER = '+15005550006';
let db: Database;
let accountSid: string;
let policy: ReceiptPolicy & { smscIdMatches: { exact: number; alternate: number; ambiguous: number } };
let cleanup: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  db = await testDb.open();
  cleanup.push(() => db.close());
  accountSid = await insertAccount(db);
  // Parked receipts are due again at once, so a test can run the sweeper's retry itself.
  policy = { ...DEFAULT_RECEIPT_POLICY, retryBaseMs: 0, retryMaxMs: 0, maxMatchAttempts: 3, smscIdMatches: { exact: 0, alternate: 0, ambiguous: 0 } };
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A sent SMPP message whose one submission carries `smscId`. */
async function submitted(smscId: string): Promise<string> {
  const sid = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: `message ${smscId}`, status: 'sent' });
  await db.query("UPDATE messages SET route = 'smpp' WHERE sid = $1", [sid]);
  await db.query("INSERT INTO smsc_submissions (message_sid, route, smsc_message_id) VALUES ($1, 'smpp', $2)", [sid, smscId]);
  return sid;
}

const delivered = (smscMessageId: string) => applySmppReceipt(db, {
  smscMessageId, stat: 'DELIVRD', err: '000', rawText: `id:${smscMessageId} stat:DELIVRD err:000`,
  fromAddress: HANDSET, toAddress: SENDER, policy,
});

async function statusOf(sid: string): Promise<string> {
  const [row] = await db.query<{ status: string }>('SELECT status FROM messages WHERE sid = $1', [sid]);
  return row?.status ?? 'missing';
}

describe('SMPP receipt id spellings', () => {
  it('takes the stored id over a newer submission whose id is another spelling of it', async () => {
    const thirty = await submitted('30');
    const fortyEight = await submitted('48'); // 0x30
    expect(await delivered('30')).toMatchObject({ outcome: 'matched', messageSid: thirty });
    expect(await delivered('48')).toMatchObject({ outcome: 'matched', messageSid: fortyEight });
    expect(policy.smscIdMatches).toEqual({ exact: 2, alternate: 0, ambiguous: 0 });
  });

  it('takes the newest submission of a reused id by its numeric row id, not its text (100 after 99)', async () => {
    // An SMSC that restarts its id counter hands out the same id again. The newest submission is the one meant;
    // ordering the text alias of the bigint id would put row 99 after row 100.
    const older = await submitted('7');
    const newer = await insertOutbound(db, { accountSid, from: SENDER, to: HANDSET, body: 'message 7 again', status: 'sent' });
    await db.query("UPDATE messages SET route = 'smpp' WHERE sid = $1", [newer]);
    await db.query('UPDATE smsc_submissions SET id = 99 WHERE message_sid = $1', [older]);
    await db.query("INSERT INTO smsc_submissions (id, message_sid, route, smsc_message_id) VALUES (100, $1, 'smpp', '7')", [newer]);
    expect(await delivered('7')).toMatchObject({ outcome: 'matched', messageSid: newer });
    expect(await statusOf(older)).toBe('sent');
  });

  it('parks a receipt whose id is not stored rather than give it to another spelling at once', async () => {
    const fortyEight = await submitted('48');
    // The receipt for "30" beat the write of its submission: it must not land on "48" meanwhile.
    expect(await delivered('30')).toMatchObject({ outcome: 'parked' });
    expect(await statusOf(fortyEight)).toBe('sent');
    const thirty = await submitted('30');
    expect(await retryParkedReceipts(db, { limit: 10, policy })).toEqual([expect.objectContaining({ outcome: 'matched', messageSid: thirty })]);
    expect(await statusOf(fortyEight)).toBe('sent');
    expect(policy.smscIdMatches).toEqual({ exact: 1, alternate: 0, ambiguous: 0 });
  });

  it('matches another spelling on a later attempt when exactly one submission has it', async () => {
    const sid = await submitted('38601fa');
    expect(await delivered('0059113978')).toMatchObject({ outcome: 'parked' });
    expect(await retryParkedReceipts(db, { limit: 10, policy })).toEqual([expect.objectContaining({ outcome: 'matched', messageSid: sid })]);
    expect(await statusOf(sid)).toBe('delivered');
    expect(policy.smscIdMatches).toEqual({ exact: 0, alternate: 1, ambiguous: 0 });
  });

  it('leaves a receipt unmatched when several submissions have other spellings of its id', async () => {
    const asDecimal = await submitted('0000000016'); // 0x10 in padded decimal
    const asHex = await submitted('a'); // 10 in hex
    expect(await delivered('10')).toMatchObject({ outcome: 'parked' });
    expect(await retryParkedReceipts(db, { limit: 10, policy })).toEqual([expect.objectContaining({ outcome: 'parked' })]);
    expect(await retryParkedReceipts(db, { limit: 10, policy })).toEqual([expect.objectContaining({ outcome: 'unmatched' })]);
    expect([await statusOf(asDecimal), await statusOf(asHex)]).toEqual(['sent', 'sent']);
    expect(policy.smscIdMatches).toEqual({ exact: 0, alternate: 0, ambiguous: 1 });
  });
});
