// Status changes through applyStatusChanges and the dispatcher: transition guard, events, status-callback rows
// (order, exact parameters, URL resolution) and route selection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyStatusChanges } from '../../../src/messaging/status-change.js';
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway } from '../../fakes/fake-smsc-gateway.js';
import { insertPhoneNumber, insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;
const running: Array<ReturnType<typeof testDispatcher>> = [];

afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop({ drainMs: 500 });
});

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
});

afterAll(async () => {
  await db.close();
  await testDb.drop();
});

interface CallbackRow {
  url: string;
  method: string;
  kind: string;
  state: string;
  params: Record<string, string>;
  idempotency_token: string;
  max_attempts: number;
}

async function sentCount(sids: string[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'sent' AND sid = ANY($1::text[])`, [sids]);
  return row?.n ?? 0;
}

async function callbacksOf(sid: string): Promise<CallbackRow[]> {
  return db.query<CallbackRow>(
    `SELECT url, method, kind, state, params, idempotency_token, max_attempts FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id`,
    [sid],
  );
}

describe('status changes and callbacks', () => {
  it('queues one callback per transition, in order, with exact Twilio parameters; a late sent is ignored', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1, { from: '+15005550100', to: '+447700900001', statusCallback: 'https://app.test/status' });
    const sip = createFakeSmscGateway();
    const dispatcher = testDispatcher({ db, gateways: { sip } });
    running.push(dispatcher);
    dispatcher.start();
    await waitFor('sent', async () => (await statusCounts(db)).sent === 1);
    await dispatcher.stop({ drainMs: 500 });

    const results = await applyStatusChanges(db, [
      {
        sid: sid!, status: 'delivered', event: { type: 'receipt', detail: { stat: 'DELIVRD' } }, rawDlrDoneDate: '2406151438',
        receipt: { source: 'sip', stat: 'DELIVRD', err: '000', doneDate: '2406151438', dateReceived: new Date().toISOString() },
      },
      { sid: sid!, status: 'sent', event: { type: 'send_attempt', detail: { late: true } } },
    ]);
    expect(results.map((r) => [r.status, r.applied, r.callbackQueued])).toEqual([
      ['delivered', true, true],
      ['sent', false, false],
    ]);

    const base = { MessageSid: sid, SmsSid: sid, AccountSid: account, From: '+15005550100', To: '+447700900001', ApiVersion: '2010-04-01' };
    const callbacks = await callbacksOf(sid!);
    expect(callbacks.map((c) => c.params)).toEqual([
      { ...base, MessageStatus: 'sent', SmsStatus: 'sent' },
      { ...base, MessageStatus: 'delivered', SmsStatus: 'delivered', RawDlrDoneDate: '2406151438' },
    ]);
    expect(callbacks.every((c) => c.url === 'https://app.test/status' && c.method === 'POST' && c.kind === 'status_callback' && c.state === 'pending')).toBe(true);
    expect(new Set(callbacks.map((c) => c.idempotency_token)).size).toBe(2);

    // Only the exceptional step (the ignored late sent) is a row; the rest of the history is on the message.
    const rows = await db.query<{ type: string; status: string | null; detail: Record<string, unknown> }>(
      `SELECT type, status, detail FROM message_events WHERE message_sid = $1 ORDER BY id`,
      [sid],
    );
    expect(rows).toEqual([{ type: 'send_attempt', status: null, detail: { late: true, ignoredStatus: 'sent' } }]);
    const events = await loadMessageHistory(db, { accountSid: account, sid: sid! });
    expect(events?.map((e) => [e.type, e.status])).toEqual([
      ['status', 'queued'],
      ['route', null],
      ['status', 'sending'],
      ['send_attempt', 'sent'],
      ['receipt', 'delivered'],
      ['send_attempt', null],
    ]);
    expect(events?.[4]?.detail).toMatchObject({ source: 'sip', stat: 'DELIVRD', doneDate: '2406151438' });
    const [message] = await db.query(`SELECT status FROM messages WHERE sid = $1`, [sid]);
    expect(message).toEqual({ status: 'delivered' });
  });

  it('falls back to the sending number of the same account, and puts ErrorCode on failures', async () => {
    const account = await newAccount(db);
    const stranger = await newAccount(db);
    await insertPhoneNumber(db, { accountSid: account, phoneNumber: '+15005550200', statusCallback: 'https://app.test/number', statusCallbackMethod: 'GET' });
    await insertPhoneNumber(db, { accountSid: stranger, phoneNumber: '+15005550201', statusCallback: 'https://stranger.test/cb' });
    const [own] = await insertQueuedMessages(db, account, 1, { from: '+15005550200' });
    // A number owned by another account must never receive this account's callbacks.
    const [foreign] = await insertQueuedMessages(db, account, 1, { from: '+15005550201' });
    await applyStatusChanges(
      db,
      [own!, foreign!].map((sid) => ({ sid, status: 'failed' as const, errorCode: 30008, errorMessage: 'Unknown error', event: { type: 'test', detail: {} } })),
      { sendingCallbacks: false, callbackMaxAttempts: 3, callbackDeadlineMs: 60_000 },
    );

    const callbacks = await callbacksOf(own!);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ url: 'https://app.test/number', method: 'GET', max_attempts: 3 });
    expect(callbacks[0]?.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30008' });
    expect(await callbacksOf(foreign!)).toEqual([]);
    const [row] = await db.query(`SELECT status, error_code, error_message FROM messages WHERE sid = $1`, [foreign]);
    expect(row).toEqual({ status: 'failed', error_code: 30008, error_message: 'Unknown error' });
  });

  it('emits the sending callback only when asked to', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1, { statusCallback: 'https://app.test/s' });
    const sip = createFakeSmscGateway();
    const dispatcher = testDispatcher({ db, gateways: { sip }, statusChange: { sendingCallbacks: true, callbackMaxAttempts: 2, callbackDeadlineMs: 60_000 } });
    running.push(dispatcher);
    dispatcher.start();
    await waitFor('sent', async () => (await callbacksOf(sid!)).length === 2);
    await dispatcher.stop({ drainMs: 500 });
    expect((await callbacksOf(sid!)).map((c) => c.params.MessageStatus)).toEqual(['sending', 'sent']);
  });

  it('routes by message, then number, then account, then the default, and records the choice', async () => {
    const account = await newAccount(db);
    const smppAccount = await newAccount(db);
    await db.query(`UPDATE accounts SET sms_route = 'smpp' WHERE sid = $1`, [smppAccount]);
    await insertPhoneNumber(db, { accountSid: smppAccount, phoneNumber: '+15005550300', smsRoute: 'sip' });
    const [byDefault] = await insertQueuedMessages(db, account, 1);
    const [byMessage] = await insertQueuedMessages(db, account, 1, { route: 'smpp' });
    const [byAccount] = await insertQueuedMessages(db, smppAccount, 1);
    const [byNumber] = await insertQueuedMessages(db, smppAccount, 1, { from: '+15005550300' });
    const sip = createFakeSmscGateway();
    const smpp = createFakeSmscGateway({ route: 'smpp' });
    const dispatcher = testDispatcher({ db, gateways: { sip, smpp } });
    running.push(dispatcher);
    dispatcher.start();
    const sids = [byDefault!, byMessage!, byAccount!, byNumber!];
    await waitFor('all sent', async () => (await sentCount(sids)) === 4);
    await dispatcher.stop({ drainMs: 500 });

    expect(new Set(sip.submissions.map((s) => s.message.sid))).toEqual(new Set([byDefault, byNumber]));
    expect(new Set(smpp.submissions.map((s) => s.message.sid))).toEqual(new Set([byMessage, byAccount]));
    const bySid = new Map<string, Record<string, unknown>>();
    for (const [owner, sid] of [[account, byDefault!], [smppAccount, byAccount!], [smppAccount, byNumber!], [account, byMessage!]] as const) {
      const route = (await loadMessageHistory(db, { accountSid: owner, sid }))?.find((e) => e.type === 'route');
      if (route) bySid.set(sid, route.detail);
    }
    expect(bySid.get(byDefault!)).toEqual({ route: 'sip', source: 'default' });
    expect(bySid.get(byAccount!)).toEqual({ route: 'smpp', source: 'account' });
    expect(bySid.get(byNumber!)).toEqual({ route: 'sip', source: 'number' });
    expect(bySid.has(byMessage!)).toBe(false);
    const routes = await db.query<{ sid: string; route: string }>(`SELECT sid, route FROM messages WHERE sid = ANY($1::text[])`, [[byDefault, byAccount]]);
    expect(Object.fromEntries(routes.map((r) => [r.sid, r.route]))).toEqual({ [byDefault!]: 'sip', [byAccount!]: 'smpp' });
  });
});
