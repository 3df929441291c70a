// End to end over the wire: queued rows → dispatcher → SIP SMSC gateway → native SIP stack → sipp as the SMSC.
// sipp checks the exact X-SMS-* header lines with regexes; the database shows what the answer did to the message.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDeliveryReceipt, formatReceiptDate } from '../../../src/encoding/index.js';
import { applySipReceipt } from '../../../src/messaging/apply-receipt.js';
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import { createNativeSipAdapter } from '../../../src/sip/native/index.js';
import { createSipSmscGateway } from '../../../src/sip/smsc-sip-gateway.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { startSipp, uasScenario, writeScenario, type SippResult } from '../sip/sipp.js';
import { insertQueuedMessages, newAccount, testDispatcher, waitFor, type QueuedMessageSpec } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;
let account: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  account = await newAccount(db);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await db.close();
  await testDb.drop();
});

/** A native SIP stack on an ephemeral UDP port with shrunk timers, and a dispatcher sending through it. */
async function pipelineTo(smscPort: number, requestTimeoutMs?: number) {
  const sip = createNativeSipAdapter({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], timers: { t1Ms: 50, t2Ms: 400, t4Ms: 500 } });
  await sip.start();
  cleanups.push(() => sip.stop());
  const localPort = sip.boundAddresses()[0]!.port;
  const gateway = createSipSmscGateway({
    sip,
    smscUri: `sip:127.0.0.1:${smscPort};transport=udp`,
    localHostPort: `127.0.0.1:${localPort}`,
    sendValidity: false,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
  const dispatcher = testDispatcher({ db, gateways: { sip: gateway }, retry: { baseMs: 50, maxMs: 100 } });
  dispatcher.start();
  cleanups.push(() => dispatcher.stop({ drainMs: 1000 }));
  return dispatcher;
}

async function messageRow(sid: string) {
  const [row] = await db.query<{ status: string; error_code: number | null; attempts: number }>(
    `SELECT status, error_code, attempts FROM messages WHERE sid = $1`,
    [sid],
  );
  return row!;
}

function expectSippPassed(result: SippResult): void {
  expect({ exitCode: result.exitCode, errors: result.errors.trim() }).toEqual({ exitCode: 0, errors: '' });
}

/** Sends one queued message to a sipp SMSC that checks `headerLines` and answers `status`. */
async function sendThroughSipp(spec: QueuedMessageSpec, status: number, headerLines: string[], bodyRegex: string) {
  const smsc = await startSipp({
    scenario: await writeScenario(uasScenario({ status, reason: status === 200 ? 'OK' : 'Server Internal Error', expectHeaderLines: headerLines, expectRegexes: [bodyRegex] })),
    transport: 'udp',
  });
  cleanups.push(() => smsc.kill());
  await pipelineTo(smsc.port);
  const [sid] = await insertQueuedMessages(db, account, 1, spec);
  const result = await smsc.done;
  expectSippPassed(result);
  await waitFor('final status', async () => ['sent', 'failed'].includes((await messageRow(sid!)).status));
  return sid!;
}

describe('outbound over SIP to sipp as the SMSC', () => {
  it('sends GSM text with X-SMS-CODING: 0 and marks the message sent on 200', async () => {
    const sid = await sendThroughSipp({ body: 'Hello world', to: '+447700900123', from: '+447700900456' }, 200, [
      'X-SMS-CODING: 0',
    ], '^MESSAGE sip:447700900123@127.0.0.1:[0-9]+;transport=udp SIP/2.0');
    expect(await messageRow(sid)).toEqual({ status: 'sent', error_code: null, attempts: 1 });
  });

  it('keeps the history of a message sent and delivered over SIP on its row: no message_events row, Events.json complete', async () => {
    const sid = await sendThroughSipp({ body: 'History', to: '+447700900777', from: '+447700900456', receiptRequested: true }, 200, [
      'X-SMS-CODING: 0',
    ], 'History #1');
    const now = formatReceiptDate(new Date());
    const receipt = await applySipReceipt(db, {
      fromUser: '447700900777', toUser: '447700900456',
      rawText: buildDeliveryReceipt({ id: '7001', sub: '001', dlvrd: '001', submitDate: now, doneDate: now, stat: 'DELIVRD', err: '000', text: 'History' }),
    });
    expect(receipt).toMatchObject({ outcome: 'matched', messageSid: sid });
    expect((await messageRow(sid)).status).toBe('delivered');

    expect(await db.query('SELECT type, status FROM message_events WHERE message_sid = $1', [sid])).toEqual([]);
    const events = (await loadMessageHistory(db, { accountSid: account, sid })) ?? [];
    expect(events.map((e) => [e.type, e.status])).toEqual([
      ['status', 'queued'], ['route', null], ['status', 'sending'], ['send_attempt', 'sent'], ['receipt', 'delivered'],
    ]);
    expect(events[2]?.detail).toMatchObject({ attempt: 1, route: 'sip' });
    expect(typeof events[2]?.detail.claimedBy).toBe('string');
    expect(events[3]?.detail).toMatchObject({ sipStatus: 200, outcome: 'accepted', route: 'sip', attempt: 1 });
    expect(events[4]?.detail).toMatchObject({ source: 'sip', stat: 'DELIVRD', err: '000' });
    const times = events.map((e) => e.dateCreated.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('sends Unicode text as UTF-8 with X-SMS-CODING: 2', async () => {
    const sid = await sendThroughSipp({ body: 'Привет мир', coding: 2 }, 200, ['X-SMS-CODING: 2'], 'Привет мир #1');
    expect((await messageRow(sid)).status).toBe('sent');
  });

  it('asks for a receipt with X-REG-DELIVERY: 1 when a status callback is wanted', async () => {
    const sid = await sendThroughSipp({ body: 'Track me', statusCallback: 'https://app.test/cb', receiptRequested: true }, 200, [
      'X-SMS-CODING: 0',
      'X-REG-DELIVERY: 1',
    ], 'Track me #1');
    expect((await messageRow(sid)).status).toBe('sent');
  });

  it('passes a caller-supplied UDH in X-SMS-UDH', async () => {
    const sid = await sendThroughSipp({ body: 'part one', udh: '050003A70201' }, 200, ['X-SMS-UDH: 050003A70201'], 'part one #1');
    expect((await messageRow(sid)).status).toBe('sent');
  });

  it('fails the message with 30008 when the SMSC answers 500', async () => {
    const sid = await sendThroughSipp({ body: 'Rejected' }, 500, ['X-SMS-CODING: 0'], 'Rejected #1');
    expect(await messageRow(sid)).toEqual({ status: 'failed', error_code: 30008, attempts: 1 });
    // The SMSC's answer is on the message (smsc_result): no event row, and Events.json still says it.
    expect(await db.query('SELECT type FROM message_events WHERE message_sid = $1', [sid])).toEqual([]);
    const event = (await loadMessageHistory(db, { accountSid: account, sid }))?.find((e) => e.type === 'send_attempt');
    expect(event).toMatchObject({ status: 'failed' });
    expect(event?.detail).toMatchObject({ sipStatus: 500, sipReason: 'Server Internal Error', local: false, outcome: 'permanent-failure' });
  });

  it('retries when the SMSC stays silent', async () => {
    // A UDP socket that swallows everything: the transaction ends in a local 408.
    const silent: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    await pipelineTo(silent.address().port, 300);
    const [sid] = await insertQueuedMessages(db, account, 1, { body: 'Anyone there?' });
    await waitFor('two attempts', async () => (await messageRow(sid!)).attempts >= 2);

    const events = await db.query<{ status: string | null; detail: Record<string, unknown> }>(
      `SELECT status, detail FROM message_events WHERE message_sid = $1 AND type = 'send_attempt' ORDER BY id LIMIT 1`,
      [sid],
    );
    expect(events[0]).toMatchObject({ status: null, detail: { sipStatus: 408, local: true, outcome: 'temporary-failure' } });
    expect(['queued', 'sending']).toContain((await messageRow(sid!)).status);
  });
});
