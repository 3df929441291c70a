// "RCML app" suite, part 2 (spec restcomm-connect-sms.md §1.2, checklist 5): X-… form fields of a RestComm send
// become SIP headers on the outgoing MESSAGE, checked at sipp; the SMSC's own headers are validated first.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { headerValue } from '../e2e/sipp-trace.js';
import { ACCOUNT_SID, OUR_NUMBER, startRcmlWorld } from './rcml-harness.js';

const HANDSET = '+447700900124';
const messages = `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages.json`;

let world: Awaited<ReturnType<typeof startRcmlWorld>>;
beforeAll(async () => {
  world = await startRcmlWorld({ env: { RESTCOMM_X_HEADER_DENY: 'X-Internal-Route' } });
  expect((await world.twilio.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${world.app.url}/sms` })).status).toBe(201);
}, 60_000);
afterAll(async () => world.cleanup());

const arrivalOf = (body: string) => waitFor(`the MESSAGE "${body}"`, async () => (await world.arrivals()).find((m) => m.body === body));

it('sends X-Foo=bar as the SIP header X-Foo: bar, and UDH and coding from X-SMS-UDH / X-SMS-CODING', async () => {
  const response = await world.rc('POST', messages, { form: {
    From: OUR_NUMBER, To: HANDSET, Body: 'udh part', 'X-Foo': 'bar', 'X-SMS-UDH': '050003a70201', 'X-SMS-CODING': '2', 'X-REG-DELIVERY': '1',
  } });
  expect(response.status, response.text).toBe(200);
  const arrival = await arrivalOf('udh part');
  expect(headerValue(arrival, 'X-Foo')).toBe('bar');
  expect(headerValue(arrival, 'X-SMS-UDH')).toBe('050003A70201');
  expect(headerValue(arrival, 'X-SMS-CODING')).toBe('2');
  expect(headerValue(arrival, 'X-REG-DELIVERY')).toBe('1');
});

it('refuses a bad seed header, an unsafe header and a denied one with 400, and sends nothing', async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'X-SMS-CODING': '8' }, /^X-SMS-CODING: must be 0/],
    [{ 'X-SMS-UDH': '0500' }, /^X-SMS-UDH: UDH|^X-SMS-UDH|SmscUdh/],
    [{ 'X-Evil': 'a\r\nVia: x' }, /without CR or LF/],
    [{ 'X-Internal-Route': 'b' }, /blocked by the operator/],
  ];
  for (const [extra, text] of cases) {
    const body = `refused ${Object.keys(extra)[0]}`;
    const response = await world.rc('POST', messages, { form: { From: OUR_NUMBER, To: HANDSET, Body: body, ...extra } });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(text);
  }
  // A message sent after the refusals arrives; none of the refused ones did.
  expect((await world.rc('POST', messages, { form: { From: OUR_NUMBER, To: HANDSET, Body: 'after refusals' } })).status).toBe(200);
  await arrivalOf('after refusals');
  expect((await world.arrivals()).filter((m) => m.body.startsWith('refused'))).toEqual([]);
  const rows = await world.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE body LIKE 'refused%'`);
  expect(rows[0]!.n).toBe(0);
});
