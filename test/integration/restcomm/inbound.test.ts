// "RCML app" suite, part 3 (spec restcomm-connect-sms.md §3.1-3.3, checklist 8-10): an MO from sipp (as the
// SMSC) reaches the app with RestComm's parameters, SipHeader_X-… for each X- header included; SmsMethod=GET
// puts them in the query string; the stored message is visible through RestComm's resource.
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { ACCOUNT_SID, OUR_NUMBER, sendMo, startRcmlWorld, xmlChildren } from './rcml-harness.js';

const HANDSET = '447700900125';
let world: Awaited<ReturnType<typeof startRcmlWorld>> | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

it('POSTs SmsSid, AccountSid, From, To, Body and SipHeader_X-… per X- header, signed; the record is fetchable', async () => {
  world = await startRcmlWorld();
  expect((await world.twilio.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${world.app.url}/sms` })).status).toBe(201);
  const mo = await sendMo(world.sipPort, [{
    from: HANDSET, to: OUR_NUMBER.slice(1), body: 'inbound hello',
    headerLines: ['X-SMS-CODING: 0', 'X-SMSC-ID: esme_1', 'X-DELIVERY_TIME: 02026-00-03 10:00:00', 'X-Custom-Tag: t1'],
  }]);
  expect(mo.exitCode, mo.errors + mo.stderr).toBe(0);
  const request = await waitFor('the inbound webhook', () => world!.app.requests().find((r) => r.path === '/sms'));
  expect(request.method).toBe('POST');
  expect(request.params).toMatchObject({
    AccountSid: ACCOUNT_SID, From: `+${HANDSET}`, To: OUR_NUMBER, Body: 'inbound hello',
    'SipHeader_X-SMS-CODING': '0', 'SipHeader_X-SMSC-ID': 'esme_1', 'SipHeader_X-DELIVERY_TIME': '02026-00-03 10:00:00',
    'SipHeader_X-Custom-Tag': 't1',
  });
  expect(request.params.SmsSid).toMatch(/^SM[0-9a-f]{32}$/);
  expect(request.headers['x-twilio-signature']).toBeTruthy();

  const fetched = await world.rc('GET', `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages/${request.params.SmsSid}`);
  expect(fetched.status).toBe(200);
  expect(Object.fromEntries(xmlChildren(fetched.text, 'SMSMessage'))).toMatchObject({ Status: 'received', Direction: 'inbound', Body: 'inbound hello' });
});

it('sends the parameters in the query string with SmsMethod=GET', async () => {
  world = await startRcmlWorld();
  expect((await world.twilio.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${world.app.url}/sms-get`, SmsMethod: 'GET' })).status).toBe(201);
  const mo = await sendMo(world.sipPort, [{ from: HANDSET, to: OUR_NUMBER.slice(1), body: 'by get', headerLines: ['X-SMS-CODING: 0'] }]);
  expect(mo.exitCode, mo.errors + mo.stderr).toBe(0);
  const request = await waitFor('the GET webhook', () => world!.app.requests().find((r) => r.path === '/sms-get'));
  expect(request.method).toBe('GET');
  expect(request.query).toMatchObject({ Body: 'by get', From: `+${HANDSET}`, 'SipHeader_X-SMS-CODING': '0' });
});

it('answers an MO to an unknown number with 604, not the 404 that makes the SMSC retry for 72 hours', async () => {
  world = await startRcmlWorld();
  const mo = await sendMo(world.sipPort, [{ from: HANDSET, to: '15005550999', body: 'nobody', expectStatus: 604 }]);
  expect(mo.exitCode, mo.errors + mo.stderr).toBe(0);
});
