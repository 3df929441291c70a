// "RCML app" suite, part 5: the SMPP road (spec restcomm-connect-sms.md §3.1, issue points 2-3). An MO by
// deliver_sm reaches the app with the same SipHeader_ names (X-SMSC-ID = the bind's system_id, coding, UDH);
// a RestComm send with the SMSC's X- headers goes out by submit_sm with the fields they stand for.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { restcommClient } from './rcml-harness.js';
import { ACCOUNT_SID, AUTH_TOKEN, SMPP_ACCOUNT, startStack, submissions, waitFor, type Stack } from '../smpp-route/harness.js';

let stack: Stack;
const HANDSET = '447700900556';
const NUMBER = '+15005550006';

beforeAll(async () => {
  stack = await startStack({ env: { SMSC_DEFAULT_ROUTE: 'smpp' } });
  expect((await stack.api.createNumber({ PhoneNumber: NUMBER, SmsUrl: `${stack.receiver.url}/sms` })).status).toBe(201);
}, 60_000);
afterAll(async () => stack?.close());

it('gives an SMPP MO the SipHeader_ parameters of the same facts, signed', async () => {
  expect(await stack.simulator.sendSmppMo({ from: HANDSET, to: NUMBER.slice(1), text: 'Привет по SMPP', coding: 2 })).toEqual([0]);
  const hook = await waitFor('the webhook', () => stack.receiver.received.find((r) => r.path === '/sms' && r.params.Body === 'Привет по SMPP'));
  expect(hook.signatureValid).toBe(true);
  expect(hook.params).toMatchObject({ 'SipHeader_X-SMSC-ID': SMPP_ACCOUNT.systemId, 'SipHeader_X-SMS-CODING': '2' });
  expect(hook.params['SipHeader_X-SMS-UDH']).toBeUndefined();
});

it('sends a RestComm send\'s X-SMS-CODING / X-M-CLASS / X-REG-DELIVERY by submit_sm as the message\'s fields', async () => {
  const rc = restcommClient(stack.service.url, { username: ACCOUNT_SID, password: AUTH_TOKEN });
  const response = await rc('POST', `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages.json`, {
    form: { From: NUMBER, To: `+${HANDSET}`, Body: 'class one', 'X-SMS-CODING': '2', 'X-M-CLASS': '1', 'X-REG-DELIVERY': '0', 'X-Only-Sip': 'x' },
  });
  expect(response.status, response.text).toBe(200);
  const sid = (JSON.parse(response.text) as { sid: string }).sid;
  const [submission] = await waitFor('the SMPP submission', async () => {
    const rows = await submissions(stack, sid);
    return rows.length > 0 && rows[0]!.smsc_message_id !== null ? rows : undefined;
  });
  expect(submission!.route).toBe('smpp');
  const [row] = await stack.service.db.query<{ coding: number; message_class: number | null; receipt_requested: boolean }>(
    'SELECT coding, message_class, receipt_requested FROM messages WHERE sid = $1', [sid]);
  expect(row).toEqual({ coding: 2, message_class: 1, receipt_requested: false });
  const events = await waitFor('the send event', async () => {
    const all = await stack.api.events(sid);
    return all.some((e) => e.type === 'send_attempt' || e.status === 'sent') ? all : undefined;
  });
  expect(events.some((e) => JSON.stringify(e.detail.sipHeadersNotCarried) === '["X-Only-Sip"]')).toBe(true);
});
