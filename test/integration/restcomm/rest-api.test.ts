// "RCML app" suite, part 1: RestComm-Connect's SMS REST resource, written from the compatibility checklist of
// spec restcomm-connect-sms.md §7 (items 1-4, 6, 7, 16), against the real service with sipp as the SMSC.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { headerValue } from '../e2e/sipp-trace.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, restcommClient, startRcmlWorld, xmlChildren } from './rcml-harness.js';

const HANDSET = '+447700900123';
const RC_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [1-9]\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const ORDER = ['Sid', 'DateCreated', 'DateUpdated', 'DateSent', 'AccountSid', 'From', 'To', 'Body', 'Status', 'Direction',
  'Price', 'PriceUnit', 'ApiVersion', 'Uri'];
const messages = `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages`;

let world: Awaited<ReturnType<typeof startRcmlWorld>>;
beforeAll(async () => {
  world = await startRcmlWorld();
  expect((await world.twilio.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${world.app.url}/sms` })).status).toBe(201);
}, 60_000);
afterAll(async () => world.cleanup());

const send = (form: Record<string, string>, path = messages, accept?: string) =>
  world.rc('POST', path, { form, ...(accept ? { accept } : {}) });

describe('create (checklist 1-3, 6)', () => {
  it('answers 200 with RestComm\'s XML, 14 elements in order, status sending, then goes to the SMSC and becomes sent', async () => {
    const response = await send({ From: OUR_NUMBER, To: HANDSET, Body: 'hello xml' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(response.text.startsWith('<RestcommResponse><SMSMessage>')).toBe(true);
    const fields = Object.fromEntries(xmlChildren(response.text, 'SMSMessage'));
    expect(xmlChildren(response.text, 'SMSMessage').map(([name]) => name)).toEqual(ORDER);
    expect(fields.Sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fields).toMatchObject({ Status: 'sending', Direction: 'outbound-api', From: OUR_NUMBER, To: HANDSET, Body: 'hello xml',
      AccountSid: ACCOUNT_SID, ApiVersion: '2012-04-24', PriceUnit: 'USD', DateSent: '' });
    expect(fields.Uri).toBe(`/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages/${fields.Sid}`);
    expect(fields.DateCreated).toMatch(RC_DATE);

    const arrival = await waitFor('the MESSAGE at the SMSC', async () => (await world.arrivals()).find((m) => m.body === 'hello xml'));
    expect(arrival.startLine).toMatch(new RegExp(`^MESSAGE sip:${HANDSET.slice(1)}@127\\.0\\.0\\.1:${world.smscPort}[;> ]`));
    expect(headerValue(arrival, 'Content-Type')).toMatch(/^text\/plain/);
    const sent = await waitFor('status sent', async () => {
      const fetched = await world.rc('GET', `${messages}/${fields.Sid}.json`);
      const json = JSON.parse(fetched.text) as Record<string, unknown>;
      return json.status === 'sent' ? json : undefined;
    });
    expect(sent.date_sent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
  });

  it('answers JSON with .json, and with Accept: application/json without it; null members absent, uri ending .json', async () => {
    for (const [path, accept] of [[`${messages}.json`, undefined], [messages, 'application/json']] as const) {
      const response = await send({ From: OUR_NUMBER, To: HANDSET, Body: 'hello json' }, path, accept);
      expect(response.status).toBe(200);
      const json = JSON.parse(response.text) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(['sid', 'date_created', 'date_updated', 'account_sid', 'from', 'to', 'body', 'status',
        'direction', 'price', 'price_unit', 'api_version', 'uri']);
      expect(json.date_created).toMatch(RC_DATE);
      expect(json.uri).toBe(`/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages/${String(json.sid)}.json`);
    }
  });

  it('serves the bare /2012-04-24 path too', async () => {
    const response = await send({ From: OUR_NUMBER, To: HANDSET, Body: 'bare path' }, messages.replace('/restcomm', ''));
    expect(response.status).toBe(200);
  });

  it('calls the StatusCallback over SIP (RestComm never does) with RestComm\'s parameters', async () => {
    const created = JSON.parse((await send({ From: OUR_NUMBER, To: HANDSET, Body: 'with callback', StatusCallback: `${world.app.url}/status` }, `${messages}.json`)).text) as { sid: string };
    const callback = await waitFor('the status callback', () => world.app.requests().find((r) => r.path === '/status'));
    expect(callback.method).toBe('POST');
    expect(callback.params).toMatchObject({ MessageSid: created.sid, MessageStatus: 'sent', From: OUR_NUMBER, To: HANDSET,
      Body: 'with callback', AccountSid: ACCOUNT_SID });
    expect(callback.params.ErrorCode).toBeUndefined();
  });
});

describe('errors and authentication (checklist 4)', () => {
  it('answers 400 with RestComm\'s text for each missing required field', async () => {
    const full = { From: OUR_NUMBER, To: HANDSET, Body: 'x' };
    for (const [field, text] of [['From', 'From can not be null.'], ['To', 'To can not be null.'], ['Body', 'Body can not be null.']]) {
      const form: Record<string, string> = { ...full };
      delete form[field!];
      const response = await send(form);
      expect(response.status).toBe(400);
      expect(response.text).toBe(text);
    }
  });

  it('answers 404 for an unknown SID and 403 for another account\'s', async () => {
    expect((await world.rc('GET', `${messages}/SM${'0'.repeat(32)}`)).status).toBe(404);
    const sub = await fetch(`${world.service.url}/2010-04-01/Accounts.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'FriendlyName=other',
    }).then(async (r) => (await r.json()) as { sid: string; auth_token: string });
    const mine = JSON.parse((await send({ From: OUR_NUMBER, To: HANDSET, Body: 'mine' }, `${messages}.json`)).text) as { sid: string };
    const other = restcommClient(world.service.url, { username: sub.sid, password: sub.auth_token });
    expect((await other('GET', `/restcomm/2012-04-24/Accounts/${sub.sid}/SMS/Messages/${mine.sid}`)).status).toBe(403);
    expect((await other('GET', `${messages}/${mine.sid}`)).status).toBe(403);
    // The parent may act on its subaccount, as in RestComm.
    expect((await world.rc('GET', `/restcomm/2012-04-24/Accounts/${sub.sid}/SMS/Messages`)).status).toBe(200);

    // The password whose MD5 is the auth token authenticates (RestComm sets tokens to MD5(password)).
    const password = 'restcomm-password';
    await world.db.query('UPDATE accounts SET auth_token = $1 WHERE sid = $2', [createHash('md5').update(password).digest('hex'), sub.sid]);
    const byPassword = restcommClient(world.service.url, { username: sub.sid, password });
    expect((await byPassword('GET', `/restcomm/2012-04-24/Accounts/${sub.sid}/SMS/Messages`)).status).toBe(200);
  });

  it('answers 401 with RestComm\'s realm for a wrong token or no credentials', async () => {
    const wrong = restcommClient(world.service.url, { username: ACCOUNT_SID, password: 'wrong' });
    for (const response of [await wrong('GET', messages), await world.rc('GET', messages, { authorization: '' })]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="Restcomm realm"');
    }
  });
});

describe('one store for both APIs', () => {
  it('shows a RestComm send through the Twilio API and a Twilio send through RestComm\'s', async () => {
    const rcSent = JSON.parse((await send({ From: OUR_NUMBER, To: HANDSET, Body: 'via restcomm' }, `${messages}.json`)).text) as { sid: string };
    expect((await world.twilio.fetchMessage(rcSent.sid)).body).toMatchObject({ body: 'via restcomm', direction: 'outbound-api' });
    const twSent = await world.twilio.createMessage({ From: OUR_NUMBER, To: HANDSET, Body: 'via twilio' });
    const fetched = await world.rc('GET', `${messages}/${String(twSent.body.sid)}`);
    expect(fetched.status).toBe(200);
    expect(Object.fromEntries(xmlChildren(fetched.text, 'SMSMessage')).Body).toBe('via twilio');
  });
});

describe('list (checklist 7)', () => {
  it('pages, filters, sorts and refuses what RestComm refuses', async () => {
    for (let i = 0; i < 24; i += 1) await send({ From: OUR_NUMBER, To: '+15550001111', Body: `page item ${String(i).padStart(2, '0')}` });
    const all = JSON.parse((await world.rc('GET', `${messages}.json`)).text) as Record<string, unknown>;
    expect(all).toMatchObject({ page: 0, page_size: 50, start: '0' });
    for (const key of ['page', 'num_pages', 'page_size', 'total', 'start', 'end', 'uri', 'first_page_uri', 'previous_page_uri',
      'next_page_uri', 'last_page_uri', 'messages']) expect(all).toHaveProperty(key);
    expect(all.previous_page_uri).toBe('null');

    const filtered = `${messages}.json?From=${encodeURIComponent(OUR_NUMBER.slice(1))}&To=15550001111&SortBy=Body:asc`;
    const page1 = JSON.parse((await world.rc('GET', `${filtered}&Page=1&PageSize=10`)).text) as Record<string, unknown> & { messages: Array<{ body: string }> };
    expect(page1).toMatchObject({ page: 1, page_size: 10, total: 24, num_pages: 2, start: '10', end: '19' });
    expect(page1.messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `page item ${String(i + 10)}`));
    expect(page1.next_page_uri).toMatch(/\?Page=2&PageSize=10&AfterSid=SM[0-9a-f]{32}$/);
    const last = JSON.parse((await world.rc('GET', `${filtered}&Page=2&PageSize=10`)).text) as Record<string, unknown>;
    expect(last).toMatchObject({ start: '20', end: '24', next_page_uri: 'null' });

    expect((await world.rc('GET', `${filtered}&Page=3&PageSize=10`)).status).toBe(400);
    expect((await world.rc('GET', `${messages}.json?SortBy=DateCreated:bogus`)).status).toBe(400);
    expect((await world.rc('GET', `${messages}.json?SortBy=Nothing`)).status).toBe(400);

    const xml = await world.rc('GET', `${messages}?To=15550001111&PageSize=2`);
    expect(xml.text).toMatch(/^<RestcommResponse><SMSMessages><SMSMessage><Sid>SM[0-9a-f]{32}<\/Sid>/);
    expect(xml.text.match(/<SMSMessage>/g)).toHaveLength(2);
  }, 60_000);
});
