// The inbound use cases against a real PostgreSQL: storage, dedupe, reassembly across two instances, the
// 30009 sweeper, receipt matching, parking and the SMPP exact path.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { expireReassemblyGroups } from '../../../src/dispatch/reassembly-sweeper.js';
import { applySipReceipt, applySmppReceipt, DEFAULT_RECEIPT_POLICY } from '../../../src/messaging/apply-receipt.js';
import { retryParkedReceipts } from '../../../src/messaging/receipt-batch.js';
import { receiveSms, type ReceiveSmsOptions } from '../../../src/messaging/receive-sms.js';
import { applyStatusChanges } from '../../../src/messaging/status-change.js';
import type { Database } from '../../../src/store/database.js';
import {
  eventTypes, inboundMessages, insertAccount, insertNumber, insertOutbound, messageBySid, receiptRows, useTwoInstances, webhookRows,
} from './inbound-fixtures.js';

let db: Database;
let other: Database;
let accountSid: string;
const NUMBER = '+14155550100';
const HANDSET = '447700900123';

const instances = useTwoInstances();
beforeAll(() => {
  db = instances.db;
  other = instances.other;
});
beforeEach(async () => {
  await db.query('TRUNCATE accounts, messages, message_events, delivery_receipts, webhook_deliveries, mo_parts, smsc_submissions CASCADE');
  accountSid = await insertAccount(db);
  await insertNumber(db, { accountSid, phoneNumber: NUMBER, smsUrl: 'https://app.example.com/sms', smsFallbackUrl: 'https://app.example.com/fallback' });
});

let keySeq = 0;
function sms(overrides: Partial<ReceiveSmsOptions> = {}): ReceiveSmsOptions {
  keySeq += 1;
  return {
    fromUser: HANDSET, toUser: '14155550100', text: 'Hello', payload: Buffer.from(overrides.text ?? 'Hello', 'utf8'),
    coding: 0, udhHex: null, smscId: null, deliveryTime: null,
    requestKey: `call-${keySeq}|2 MESSAGE|<sip:${HANDSET}@smsc>`, route: 'sip', reassemblyTimeoutMs: 60_000, ...overrides,
  };
}

describe('receiveSms', () => {
  it('stores a message with its event and webhook row, once per request key', async () => {
    const options = sms({ smscId: 'esme-a', deliveryTime: '02024-37-15 02:37:05' });
    const first = await receiveSms(db, options);
    expect(first.outcome).toBe('stored');
    const sid = (first as { messageSid: string }).messageSid;
    expect(await receiveSms(db, options)).toEqual({ outcome: 'duplicate', messageSid: sid });
    const row = await messageBySid(db, sid);
    expect(row).toMatchObject({
      account_sid: accountSid, from_address: '+447700900123', to_address: NUMBER, body: 'Hello', status: 'received',
      direction: 'inbound', num_segments: 1, smsc_id: 'esme-a', smsc_delivery_time: '02024-37-15 02:37:05',
    });
    expect(row.date_sent).not.toBeNull();
    expect(await eventTypes(db, sid)).toEqual(['received']);
    const hooks = await webhookRows(db, sid);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      kind: 'sms', url: 'https://app.example.com/sms', method: 'POST', fallback_url: 'https://app.example.com/fallback',
      fallback_method: 'GET', state: 'pending',
    });
    expect(hooks[0]?.params).toMatchObject({
      MessageSid: sid, AccountSid: accountSid, From: '+447700900123', To: NUMBER, Body: 'Hello', NumSegments: '1',
      SmsStatus: 'received', SmscId: 'esme-a', SmscDeliveryTime: '02024-37-15 02:37:05',
    });
  });

  it('finds the number with or without "+", passes an alphanumeric sender through, never matches an alphanumeric To', async () => {
    expect((await receiveSms(db, sms({ toUser: '+14155550100', fromUser: 'ACME%20Co' }))).outcome).toBe('stored');
    expect((await inboundMessages(db))[0]?.from_address).toBe('ACME Co');
    expect(await receiveSms(db, sms({ toUser: '14155550199' }))).toEqual({ outcome: 'unknown-number' });
    expect(await receiveSms(db, sms({ toUser: 'SHOP' }))).toEqual({ outcome: 'unknown-number' });
  });

  it('records an event instead of a webhook row when the number has no SmsUrl', async () => {
    await insertNumber(db, { accountSid, phoneNumber: '+14155550101' });
    const result = await receiveSms(db, sms({ toUser: '14155550101' }));
    const sid = (result as { messageSid: string }).messageSid;
    expect(await webhookRows(db, sid)).toEqual([]);
    expect(await eventTypes(db, sid)).toEqual(['received', 'webhook']);
  });

  it('reassembles sibling parts received at the same moment by two instances into one message', async () => {
    const groups = Array.from({ length: 12 }, (_, i) => i + 1);
    const results = await Promise.all(
      groups.flatMap((ref) => {
        const udh = (seq: number) => `050003${ref.toString(16).padStart(2, '0').toUpperCase()}020${seq}`;
        return [
          receiveSms(db, sms({ udhHex: udh(2), text: `two-${ref}` })),
          receiveSms(other, sms({ udhHex: udh(1), text: `one-${ref} ` })),
        ];
      }),
    );
    expect(results.filter((r) => r.outcome === 'stored')).toHaveLength(12);
    expect(results.filter((r) => r.outcome === 'part-stored')).toHaveLength(12);
    const rows = await inboundMessages(db);
    expect(rows.map((r) => r.body).sort()).toEqual(groups.map((ref) => `one-${ref} two-${ref}`).sort());
    expect(rows.every((r) => r.num_segments === 2)).toBe(true);
    expect(await db.query('SELECT * FROM mo_parts')).toEqual([]);
  });

  it('absorbs a repeated part, before and after its message is assembled', async () => {
    const part1 = sms({ udhHex: '050003A70201', text: 'first ' });
    expect(await receiveSms(db, part1)).toEqual({ outcome: 'part-stored' });
    expect(await receiveSms(db, { ...part1, requestKey: 'new-call' })).toEqual({ outcome: 'duplicate' });
    const last = await receiveSms(db, sms({ udhHex: '050003A70202', text: 'second' }));
    expect(last.outcome).toBe('stored');
    const sid = (last as { messageSid: string }).messageSid;
    // The SMSC resends part 1 under a new Call-ID (our 200 was lost): it must not start a new group.
    expect(await receiveSms(db, { ...part1, requestKey: 'another-call' })).toEqual({ outcome: 'duplicate', messageSid: sid });
    expect(await db.query('SELECT * FROM mo_parts')).toEqual([]);
    expect((await inboundMessages(db)).map((m) => m.body)).toEqual(['first second']);
    expect(await eventTypes(db, sid)).toEqual(['received', 'reassembled']);
  });

  it('gives up an incomplete group at its deadline: what arrived is stored with 30009 and announced', async () => {
    await receiveSms(db, sms({ udhHex: '050003100301', text: 'one ', reassemblyTimeoutMs: 1, smscId: 'esme-b' }));
    await receiveSms(db, sms({ udhHex: '050003100303', text: 'three', reassemblyTimeoutMs: 1 }));
    await receiveSms(db, sms({ udhHex: '050003110201', text: 'not due yet', reassemblyTimeoutMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outcomes = await expireReassemblyGroups(db, { limit: 10 });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'stored', missing: [2] });
    const [row] = await inboundMessages(db);
    expect(row).toMatchObject({ body: 'one three', status: 'received', num_segments: 2, error_code: 30009, error_message: 'Missing segment', smsc_id: 'esme-b' });
    expect(await eventTypes(db, row?.sid ?? '')).toEqual(['received', 'reassembly_timeout']);
    expect((await webhookRows(db, row?.sid ?? ''))[0]?.params).toMatchObject({ Body: 'one three', NumSegments: '2' });
    expect(await db.query('SELECT reference FROM mo_parts')).toEqual([{ reference: 0x11 }]);
    expect(await expireReassemblyGroups(db, { limit: 10 })).toEqual([]);
  });
});

function receiptText(stat: string, err: string, text: string, submitted = new Date()): string {
  return buildDeliveryReceipt({
    id: String(Math.floor(Math.random() * 1e10)).padStart(10, '0'), sub: '001', dlvrd: stat === 'DELIVRD' ? '001' : '000',
    submitDate: formatReceiptDate(submitted), doneDate: formatReceiptDate(submitted), stat, err, text,
  });
}

describe('applySipReceipt', () => {
  const from = '+15005550006';
  const to = `+${HANDSET}`;

  it('moves the oldest matching sent message to delivered, the next identical one on the next receipt', async () => {
    const older = await insertOutbound(db, { accountSid, from, to, body: 'Your code is 1234, valid 5 min', status: 'sent', sentAt: new Date(Date.now() - 60_000), statusCallback: 'https://app.example.com/status' });
    const newer = await insertOutbound(db, { accountSid, from, to, body: 'Your code is 1234, valid 5 min', status: 'sent' });
    const raw = receiptText('DELIVRD', '000', 'Your code is 1234, v');
    const result = await applySipReceipt(db, { rawText: raw, fromUser: HANDSET, toUser: '15005550006' });
    expect(result).toMatchObject({ outcome: 'matched', messageSid: older, status: 'delivered' });
    expect((await messageBySid(db, older)).status).toBe('delivered');
    expect((await messageBySid(db, newer)).status).toBe('sent');
    const [callback] = await db.query<{ kind: string; params: Record<string, string> }>(
      `SELECT kind, params FROM webhook_deliveries WHERE message_sid = $1`, [older]);
    expect(callback).toMatchObject({ kind: 'status_callback', params: { MessageStatus: 'delivered' } });
    expect(callback?.params.RawDlrDoneDate).toMatch(/^\d{10}$/);
    // The same receipt again (a repeated SIP request) is absorbed, not applied to the newer message.
    expect(await applySipReceipt(db, { rawText: raw, fromUser: HANDSET, toUser: '15005550006' })).toMatchObject({ outcome: 'duplicate', messageSid: older });
    expect((await messageBySid(db, newer)).status).toBe('sent');
    const undeliv = await applySipReceipt(db, { rawText: receiptText('UNDELIV', '005', 'Your code is 1234, v'), fromUser: HANDSET, toUser: '15005550006' });
    expect(undeliv).toMatchObject({ outcome: 'matched', messageSid: newer, status: 'undelivered' });
    expect(await messageBySid(db, newer)).toMatchObject({ status: 'undelivered', error_code: 30004, error_message: 'Message blocked' });
    // Its created step (the row) and the receipt that settled it; no message_events row for either.
    expect(await eventTypes(db, newer)).toEqual(['status', 'receipt']);
    expect(await db.query('SELECT id FROM message_events WHERE message_sid = $1', [newer])).toEqual([]);
  });

  it('parks a receipt that beats our "sent" write and matches it on a later attempt', async () => {
    const sid = await insertOutbound(db, { accountSid, from, to, body: 'Early bird', status: 'sending' });
    const result = await applySipReceipt(db, { rawText: receiptText('DELIVRD', '000', 'Early bird'), fromUser: HANDSET, toUser: '15005550006' });
    expect(result.outcome).toBe('parked');
    expect((await receiptRows(db))[0]).toMatchObject({ message_sid: null, match_attempts: 1 });
    await applyStatusChanges(db, [{ sid, status: 'sent', dateSent: new Date(), event: { type: 'sip_response', detail: { status: 200 } } }]);
    await db.query('UPDATE delivery_receipts SET next_match_at = now()');
    expect(await retryParkedReceipts(db, { limit: 10 })).toMatchObject([{ outcome: 'matched', messageSid: sid, status: 'delivered' }]);
    expect((await messageBySid(db, sid)).status).toBe('delivered');
  });

  it('keeps an unmatched receipt stored and visible once its attempts are used up; ENROUTE is recorded only', async () => {
    const policy = { ...DEFAULT_RECEIPT_POLICY, maxMatchAttempts: 2 };
    const raw = receiptText('DELIVRD', '000', 'nobody sent this');
    expect((await applySipReceipt(db, { rawText: raw, fromUser: HANDSET, toUser: '15005550006', policy })).outcome).toBe('parked');
    await db.query('UPDATE delivery_receipts SET next_match_at = now()');
    expect(await retryParkedReceipts(db, { limit: 10, policy })).toMatchObject([{ outcome: 'unmatched' }]);
    expect((await receiptRows(db))[0]).toMatchObject({ message_sid: null, match_attempts: 2, next_match_at: null, raw_text: raw, text: 'nobody sent this' });

    const sid = await insertOutbound(db, { accountSid, from, to, body: 'on its way', status: 'sent' });
    const enroute = await applySipReceipt(db, { rawText: receiptText('ENROUTE', '000', 'on its way'), fromUser: HANDSET, toUser: '15005550006' });
    expect(enroute).toMatchObject({ outcome: 'matched', messageSid: sid, status: null });
    expect((await messageBySid(db, sid)).status).toBe('sent');
    // The final receipt still finds it: an intermediate one does not close the message.
    expect(await applySipReceipt(db, { rawText: receiptText('DELIVRD', '000', 'on its way'), fromUser: HANDSET, toUser: '15005550006' }))
      .toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered' });
  });
});

describe('applySmppReceipt', () => {
  it('matches exactly by SMSC message id and delivers a two-part message only when both parts are', async () => {
    const sid = await insertOutbound(db, { accountSid, from: '+15005550006', to: `+${HANDSET}`, body: 'long text', status: 'sent' });
    await db.query(
      `INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id) VALUES ($1, 'smpp', 1, 2, '38601fa'), ($1, 'smpp', 2, 2, '38601fb')`,
      [sid],
    );
    const base = { stat: 'DELIVRD', err: '000', fromAddress: HANDSET, toAddress: '15005550006' };
    // The receipt quotes the id in decimal, submit_sm_resp gave it in hex. Another spelling is tried only once the
    // stored id has found nothing on a first attempt (the receipt may have beaten its own submission's write).
    expect(await applySmppReceipt(db, { ...base, smscMessageId: '0059113978', rawText: 'id:0059113978 stat:DELIVRD' }))
      .toMatchObject({ outcome: 'parked' });
    await db.query('UPDATE delivery_receipts SET next_match_at = now() WHERE message_sid IS NULL'); // due again now
    expect(await retryParkedReceipts(db, { limit: 10 }))
      .toEqual([expect.objectContaining({ outcome: 'matched', messageSid: sid, status: null })]);
    expect((await messageBySid(db, sid)).status).toBe('sent');
    expect(await applySmppReceipt(db, { ...base, smscMessageId: '38601fb', rawText: 'id:38601fb stat:DELIVRD' }))
      .toMatchObject({ outcome: 'matched', messageSid: sid, status: 'delivered' });
    expect(await db.query(`SELECT status FROM smsc_submissions ORDER BY part_number`)).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    expect(await applySmppReceipt(db, { ...base, smscMessageId: 'ffff', rawText: 'id:ffff stat:DELIVRD' })).toMatchObject({ outcome: 'parked' });
  });
});
