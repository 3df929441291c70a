// "RCML app" suite, part 4 (spec restcomm-connect-sms.md §3.4-3.6, §4; checklist 11-15): an app answers an MO
// from sipp with RCML; the replies are checked where they arrive, at the sipp SMSC.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { headerValue, type TracedMessage } from '../e2e/sipp-trace.js';
import { ACCOUNT_SID, sendMo, startRcmlWorld, xmlChildren } from './rcml-harness.js';

const HANDSET = '447700900126';
const rcml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
const NUMBERS = { sms: '+15005550011', attrs: '+15005550012', action: '+15005550013', redirect: '+15005550014', fallback: '+15005550015' };

let world: Awaited<ReturnType<typeof startRcmlWorld>>;
beforeAll(async () => {
  world = await startRcmlWorld({
    env: { RESTCOMM_X_HEADER_DENY: 'X-Internal-Route' },
    answers: {
      '/sms': { body: rcml('<Sms>hi there</Sms>'), headers: { 'X-Custom': 'v', 'X-SMS-CODING': '1', 'X-Internal-Route': 'no' } },
      '/attrs': { body: rcml('<Sms to="+447700900999" from="+15005550012">overridden</Sms><Sms></Sms><Sms>after empty</Sms>') },
      '/action': { body: rcml('<Sms action="/next" method="GET">first</Sms><Sms>never sent</Sms>') },
      '/next': { body: rcml('<Sms>from the action</Sms>') },
      '/app/redirect': { body: rcml('<Say>not for SMS</Say><Redirect>step2</Redirect><Sms>not after a redirect</Sms>') },
      '/app/step2': { body: rcml('<Sms>redirected</Sms>') },
      '/broken': { status: 500, body: 'oops' },
      '/fallback': { body: rcml('<Sms>from the fallback</Sms>') },
    },
  });
  const app = world.app.url;
  const numbers: Array<[string, Record<string, string>]> = [
    [NUMBERS.sms, { SmsUrl: `${app}/sms` }], [NUMBERS.attrs, { SmsUrl: `${app}/attrs` }],
    [NUMBERS.action, { SmsUrl: `${app}/action` }], [NUMBERS.redirect, { SmsUrl: `${app}/app/redirect` }],
    [NUMBERS.fallback, { SmsUrl: `${app}/broken`, SmsFallbackUrl: `${app}/fallback` }],
  ];
  for (const [number, form] of numbers) expect((await world.twilio.createNumber({ PhoneNumber: number, ...form })).status).toBe(201);
}, 60_000);
afterAll(async () => world.cleanup());

const mo = async (to: string, body: string) => {
  const result = await sendMo(world.sipPort, [{ from: HANDSET, to: to.slice(1), body, headerLines: ['X-SMS-CODING: 0'] }]);
  expect(result.exitCode, result.errors + result.stderr).toBe(0);
};
const arrival = (body: string): Promise<TracedMessage> =>
  waitFor(`"${body}" at the SMSC`, async () => (await world.arrivals()).find((m) => m.body === body));
const fromUser = (m: TracedMessage) => /^<sip:([^@]+)@/.exec(headerValue(m, 'From') ?? '')?.[1];
const toUser = (m: TracedMessage) => /^MESSAGE sip:([^@]+)@/.exec(m.startLine)?.[1];

it('sends <Sms> from the inbound To to the inbound From, with the app\'s safe X- response headers (checklist 11, 15)', async () => {
  await mo(NUMBERS.sms, 'ping sms');
  const reply = await arrival('hi there');
  expect(fromUser(reply)).toBe(NUMBERS.sms.slice(1));
  expect(toUser(reply)).toBe(HANDSET);
  expect(headerValue(reply, 'X-Custom')).toBe('v');
  expect(headerValue(reply, 'X-Internal-Route')).toBeUndefined();
  // The SMSC's own headers are not taken from an HTTP answer: the reply's coding is its text's.
  expect(headerValue(reply, 'X-SMS-CODING')).toBe('0');
  const list = await world.rc('GET', `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages?Body=hi%20there`);
  expect(Object.fromEntries(xmlChildren(list.text, 'SMSMessage'))).toMatchObject({ Direction: 'outbound-reply', Body: 'hi there' });
});

it('honours <Sms to from>, and an empty <Sms> sends nothing and stops the document (checklist 12)', async () => {
  await mo(NUMBERS.attrs, 'ping attrs');
  const reply = await arrival('overridden');
  expect(toUser(reply)).toBe('447700900999');
  expect(fromUser(reply)).toBe(NUMBERS.attrs.slice(1));
  const inbound = await waitFor('the attrs webhook', () => world.app.requests().find((r) => r.path === '/attrs'));
  const events = await waitFor('the 14103 event', async () => {
    const rows = await world.db.query<{ detail: { code?: number } }>(`SELECT detail FROM message_events WHERE message_sid = $1 AND type = 'twiml'`, [inbound.params.SmsSid]);
    return rows.some((r) => r.detail.code === 14103) ? rows : undefined;
  });
  expect(events.length).toBeGreaterThan(0);
  expect((await world.arrivals()).some((m) => m.body === 'after empty')).toBe(false);
});

it('<Sms action method=GET>: sends, then GETs the action with SmsStatus=sending and runs its RCML; later verbs never run (checklist 13)', async () => {
  await mo(NUMBERS.action, 'ping action');
  await arrival('first');
  const next = await waitFor('the action request', () => world.app.requests().find((r) => r.path === '/next' && r.query.SmsStatus === 'sending'));
  expect(next.method).toBe('GET');
  expect(next.query).toMatchObject({ From: `+${HANDSET}`, To: NUMBERS.action, Body: 'ping action', AccountSid: ACCOUNT_SID });
  await arrival('from the action');
  expect((await world.arrivals()).some((m) => m.body === 'never sent')).toBe(false);
});

it('<Redirect> resolves against the current document, POSTs by default; <Say> is skipped with a visible event (checklist 14)', async () => {
  await mo(NUMBERS.redirect, 'ping redirect');
  await arrival('redirected');
  const step2 = world.app.requests().find((r) => r.path === '/app/step2');
  expect(step2?.method).toBe('POST');
  const inbound = world.app.requests().find((r) => r.path === '/app/redirect')!;
  const rows = await world.db.query<{ detail: { code?: number; message?: string } }>(
    `SELECT detail FROM message_events WHERE message_sid = $1 AND type = 'twiml'`, [inbound.params.SmsSid]);
  expect(rows.some((r) => r.detail.code === 14110 && /<Say>/.test(r.detail.message ?? ''))).toBe(true);
  expect((await world.arrivals()).some((m) => m.body === 'not after a redirect')).toBe(false);
});

it('uses SmsFallbackUrl when the first fetch fails (checklist 14)', async () => {
  await mo(NUMBERS.fallback, 'ping fallback');
  const reply = await arrival('from the fallback');
  expect(fromUser(reply)).toBe(NUMBERS.fallback.slice(1));
});
