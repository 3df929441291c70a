// The inbound path end to end on the wire: sipp plays the SMSC (no From tag, CSeq 2, X-SMS-* headers) and sends
// MESSAGEs to the native SIP adapter, whose handler stores them in a real PostgreSQL before answering.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { createReceiptSweeper } from '../../../src/dispatch/receipt-sweeper.js';
import { DEFAULT_RECEIPT_POLICY } from '../../../src/messaging/apply-receipt.js';
import { applyStatusChanges } from '../../../src/messaging/status-change.js';
import { createSipInboundHandler } from '../../../src/sip/inbound-handler.js';
import { createNativeSipAdapter, type NativeSipAdapter } from '../../../src/sip/native/index.js';
import type { Database } from '../../../src/store/database.js';
import { responseHeader, sendRawSip } from '../../helpers/raw-sip.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runSipp, sippRetransmissions, writeScenario, type SippResult } from '../sip/sipp.js';
import { smscScenario, type SmscMessageSpec } from './smsc-scenario.js';
import {
  eventTypes, inboundMessages, insertAccount, insertNumber, insertOutbound, messageBySid, receiptRows, silentLogger,
  waitFor, webhookRows,
} from './inbound-fixtures.js';

let testDb: TestDatabase;
let db: Database;
let adapter: NativeSipAdapter;
let remote: string;
let accountSid: string;
let storedCount = 0;
const HANDSET = '447700900123';
const OUR_NUMBER = '14155550100';

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  adapter = createNativeSipAdapter({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], logger: silentLogger });
  adapter.onMessage(
    createSipInboundHandler({
      db, logger: silentLogger, bodyCharset: { 0: 'utf-8', 1: 'binary', 2: 'utf-8' }, unknownNumberStatus: 604,
      reassemblyTimeoutMs: 60_000, onStored: () => (storedCount += 1),
    }),
  );
  await adapter.start();
  remote = `127.0.0.1:${adapter.boundAddresses()[0]?.port}`;
});
afterAll(async () => {
  await adapter?.stop();
  await db?.close();
  await testDb?.drop();
});
beforeEach(async () => {
  await db.query('TRUNCATE accounts, messages, message_events, delivery_receipts, webhook_deliveries, mo_parts CASCADE');
  accountSid = await insertAccount(db);
  await insertNumber(db, { accountSid, phoneNumber: `+${OUR_NUMBER}`, smsUrl: 'https://app.example.com/sms' });
  storedCount = 0;
});

/** One sipp run (one Call-ID) sending `messages` in order; fails the test unless sipp saw every expected status. */
async function smsc(messages: SmscMessageSpec[]): Promise<SippResult> {
  const result = await runSipp({ scenario: await writeScenario(smscScenario({ messages })), transport: 'udp', remote });
  expect(result.errors + result.stderr, 'sipp errors').not.toMatch(/Aborting|failed|unexpected/i);
  expect(result.exitCode).toBe(0);
  return result;
}

const message = (spec: Partial<SmscMessageSpec> & { body: string }): SmscMessageSpec => ({
  toUser: OUR_NUMBER, fromUser: HANDSET, expectStatus: 200, ...spec,
  headerLines: ['X-SMS-CODING: 0', ...(spec.headerLines ?? [])],
});

describe('inbound SMS over SIP (sipp as the SMSC)', () => {
  it('stores a GSM message once, with X-SMSC-ID and X-DELIVERY_TIME on the row and in the webhook', async () => {
    await smsc([message({ body: 'Hello from the SMSC', headerLines: ['X-SMSC-ID: esme-7', 'X-DELIVERY_TIME: 02024-37-15 02:37:05'] })]);
    const rows = await inboundMessages(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      from_address: `+${HANDSET}`, to_address: `+${OUR_NUMBER}`, body: 'Hello from the SMSC', status: 'received',
      num_segments: 1, coding: 0, smsc_id: 'esme-7', smsc_delivery_time: '02024-37-15 02:37:05',
    });
    expect((await webhookRows(db, rows[0]?.sid ?? ''))[0]?.params).toMatchObject({
      Body: 'Hello from the SMSC', SmscId: 'esme-7', SmscDeliveryTime: '02024-37-15 02:37:05', NumSegments: '1',
    });
    expect(storedCount).toBe(1);
  });

  it('stores a UCS-2 message sent as UTF-8 text', async () => {
    await smsc([{ toUser: OUR_NUMBER, fromUser: HANDSET, expectStatus: 200, headerLines: ['X-SMS-CODING: 2'], body: 'Привет, мир ✓' }]);
    expect(await inboundMessages(db)).toMatchObject([{ body: 'Привет, мир ✓', coding: 2, num_segments: 1 }]);
  });

  it.each([
    ['in order', ['01', '02']],
    ['out of order', ['02', '01']],
  ])('reassembles a two-part message arriving %s into one message', async (_label, order) => {
    const texts: Record<string, string> = { '01': 'The first half,', '02': '+the second half.' };
    for (const seq of order) {
      await smsc([message({ body: texts[seq] ?? '', headerLines: [`X-SMS-UDH: 050003A702${seq}`] })]);
    }
    const rows = await inboundMessages(db);
    expect(rows).toMatchObject([{ body: 'The first half,+the second half.', num_segments: 2 }]);
    expect(await eventTypes(db, rows[0]?.sid ?? '')).toEqual(['received', 'reassembled']);
    expect(await webhookRows(db, rows[0]?.sid ?? '')).toHaveLength(1);
    expect(storedCount).toBe(1);
  });

  it('produces one message for retransmissions (same branch) while the database is slow', async () => {
    // Hold inserts into messages for a while, so that sipp retransmits the MESSAGE before it gets an answer.
    const blocker = await testDb.open();
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = blocker.transaction(async (query) => {
      await query('LOCK TABLE messages IN SHARE MODE');
      locked();
      await new Promise((resolve) => setTimeout(resolve, 1500));
    });
    try {
      await isLocked;
      const result = await smsc([message({ body: 'once only', retransMs: 100 })]);
      expect(sippRetransmissions(result.stdout, 'MESSAGE')).toBeGreaterThan(0);
    } finally {
      await holding;
      await blocker.close();
    }
    expect((await inboundMessages(db)).map((m) => m.body)).toEqual(['once only']);
    expect(storedCount).toBe(1);
  });

  it('produces one message for a repeat (same Call-ID and CSeq, new branch)', async () => {
    await smsc([message({ body: 'repeated' }), message({ body: 'repeated' })]);
    expect((await inboundMessages(db)).map((m) => m.body)).toEqual(['repeated']);
    expect(storedCount).toBe(1);
  });

  it('answers 604 for a number we do not host, and stores nothing', async () => {
    await smsc([message({ body: 'anyone there?', toUser: '14155550199', expectStatus: 604 })]);
    expect(await inboundMessages(db)).toEqual([]);
  });

  it('answers 606 (final: the SMSC stops retrying) with a Reason for a coding it cannot read', async () => {
    await smsc([{ toUser: OUR_NUMBER, fromUser: HANDSET, body: 'x', headerLines: ['X-SMS-CODING: 8'], expectStatus: 606,
      expectHeaderLines: [`Reason: SIP;cause=606;text="X-SMS-CODING: '8' is not 0, 1 or 2"`] }]);
    expect(await inboundMessages(db)).toEqual([]);
  });

  it('answers 400 for From: <sip:@host> (no sender) and stores nothing', async () => {
    await smsc([message({ body: 'who am I?', fromUser: '', expectStatus: 400 })]);
    expect(await inboundMessages(db)).toEqual([]);
    expect(await db.query('SELECT id FROM webhook_deliveries')).toEqual([]);
  });
});

/** A MESSAGE as raw bytes (sipp's XML cannot carry NUL octets), answered to this socket through rport. */
function rawMessage(options: { from?: string; headers: string[]; body: Buffer; callId: string }): Buffer {
  const head = [
    `MESSAGE sip:${OUR_NUMBER}@${remote} SIP/2.0`, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-raw-' + options.callId + ';rport',
    `From: ${options.from ?? `<sip:${HANDSET}@127.0.0.1:5060>`}`, `To: <sip:${OUR_NUMBER}@${remote}>`, `Call-ID: ${options.callId}`,
    'CSeq: 2 MESSAGE', 'Content-Type: text/plain', ...options.headers, `Content-Length: ${options.body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), options.body]);
}

describe('inbound content over raw UDP', () => {
  const port = () => Number(remote.split(':')[1]);

  it('stores 8-bit data holding 0x00 byte for byte (answer 200, never 480), body and webhook in hex', async () => {
    const body = Buffer.from('0001020000ff', 'hex');
    const answer = await sendRawSip({ port: port(), request: rawMessage({ headers: ['X-SMS-CODING: 1'], body, callId: 'raw-binary' }) });
    expect(answer.status).toBe(200);
    const rows = await db.query<{ sid: string; body: string; payload: Buffer; coding: number }>(
      `SELECT sid, body, payload, coding FROM messages WHERE direction = 'inbound'`,
    );
    expect(rows.map((r) => [r.body, Buffer.from(r.payload).toString('hex'), r.coding])).toEqual([['0001020000FF', '0001020000ff', 1]]);
    expect((await webhookRows(db, rows[0]!.sid))[0]?.params).toMatchObject({ Body: '0001020000FF', SmscPayloadHex: '0001020000FF', SmscCoding: 'binary' });
  });

  it('stores text holding U+0000 with the NUL in the payload only', async () => {
    const answer = await sendRawSip({ port: port(), request: rawMessage({ headers: ['X-SMS-CODING: 0'], body: Buffer.from('a\u0000b'), callId: 'raw-nul' }) });
    expect(answer.status).toBe(200);
    expect(await inboundMessages(db)).toMatchObject([{ body: 'ab' }]);
  });

  it('answers 400 for From: garbage and stores nothing', async () => {
    const answer = await sendRawSip({ port: port(), request: rawMessage({ from: 'garbage', headers: [], body: Buffer.from('x'), callId: 'raw-from' }) });
    expect(answer.status).toBe(400);
    expect(responseHeader(answer, 'Reason')).toMatch(/^SIP;cause=400;text="From: /);
    expect(await inboundMessages(db)).toEqual([]);
  });
});

describe('delivery receipts over SIP (sipp as the SMSC)', () => {
  const ourFrom = '15005550006';
  const receipt = (stat: string, err: string, text: string): string => buildDeliveryReceipt({
    id: '0000012345', sub: '001', dlvrd: stat === 'DELIVRD' ? '001' : '000', submitDate: formatReceiptDate(new Date()),
    doneDate: formatReceiptDate(new Date()), stat, err, text,
  });
  // A receipt travels back with the addresses swapped: From = our original To, To = our original From.
  const receiptMessage = (body: string): SmscMessageSpec => ({ toUser: ourFrom, fromUser: HANDSET, headerLines: ['X-SMS-CODING: 0'], body, expectStatus: 200 });

  it('moves one sent message to delivered and another to undelivered with the mapped error code', async () => {
    const delivered = await insertOutbound(db, { accountSid, from: `+${ourFrom}`, to: `+${HANDSET}`, body: 'Meeting at 10 in room 4', status: 'sent' });
    const failed = await insertOutbound(db, { accountSid, from: `+${ourFrom}`, to: `+${HANDSET}`, body: 'Parcel 88 is waiting', status: 'sent' });
    await smsc([receiptMessage(receipt('DELIVRD', '000', 'Meeting at 10 in roo'))]);
    await smsc([receiptMessage(receipt('UNDELIV', '228', 'Parcel 88 is waiting'))]);
    expect(await messageBySid(db, delivered)).toMatchObject({ status: 'delivered', error_code: null });
    expect(await messageBySid(db, failed)).toMatchObject({ status: 'undelivered', error_code: 30003, error_message: 'Unreachable destination handset' });
    // Each settling receipt is kept on its message, none as a delivery_receipts row.
    expect(await receiptRows(db)).toEqual([]);
    const kept = await db.query<{ sid: string; stat: string; err: string }>(
      `SELECT sid, receipt->>'stat' AS stat, receipt->>'err' AS err FROM messages WHERE sid = ANY($1::text[]) ORDER BY stat`, [[delivered, failed]]);
    expect(kept.map((r) => [r.sid, r.stat, r.err])).toEqual([[delivered, 'DELIVRD', '000'], [failed, 'UNDELIV', '228']]);
    expect(await inboundMessages(db)).toEqual([]);
  });

  it('parks a receipt that arrives before the message is marked sent; the sweeper matches it later', async () => {
    const sid = await insertOutbound(db, { accountSid, from: `+${ourFrom}`, to: `+${HANDSET}`, body: 'Racing the receipt', status: 'sending' });
    await smsc([receiptMessage(receipt('DELIVRD', '000', 'Racing the receipt'))]);
    expect(await receiptRows(db)).toMatchObject([{ message_sid: null, match_attempts: 1 }]);
    expect((await messageBySid(db, sid)).status).toBe('sending');
    await applyStatusChanges(db, [{ sid, status: 'sent', dateSent: new Date(), event: { type: 'sip_response', detail: { status: 200 } } }]);
    const sweeper = createReceiptSweeper({
      db, logger: silentLogger, intervalMs: 20, batchSize: 10, policy: { ...DEFAULT_RECEIPT_POLICY, retryBaseMs: 50 },
    });
    sweeper.start();
    try {
      await waitFor('the parked receipt to match', async () => (await messageBySid(db, sid)).status === 'delivered');
    } finally {
      await sweeper.stop();
    }
    expect((await receiptRows(db))[0]?.message_sid).toBe(sid);
  });

  it('stores a receipt that matches nothing and still answers 200', async () => {
    const raw = receipt('DELIVRD', '000', 'never sent by us');
    await smsc([receiptMessage(raw)]);
    expect(await receiptRows(db)).toMatchObject([{ message_sid: null, raw_text: raw, from_address: HANDSET, to_address: ourFrom }]);
    expect(await inboundMessages(db)).toEqual([]);
  });
});
