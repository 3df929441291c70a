// The Messages resource driven by the official twilio SDK against a real server on real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const FROM = '+15005550006';
const TO = '+15551234567';

describe('Messages API (twilio SDK, PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    api = await startApi({ db });
    account = await newAccount(db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    await client.incomingPhoneNumbers.create({ phoneNumber: FROM });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('creates a queued message and returns Twilio\'s JSON with Twilio\'s types', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'Hello & welcome 👍 a+b' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.body).toBe('Hello & welcome 👍 a+b');
    expect(message.dateCreated).toBeInstanceOf(Date);
    const raw = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}.json`, auth: basicAuth(account.sid, account.authToken) });
    expect(raw.status).toBe(200);
    const json = raw.json as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([
      'account_sid', 'api_version', 'body', 'date_created', 'date_sent', 'date_updated', 'direction', 'error_code',
      'error_message', 'from', 'messaging_service_sid', 'num_media', 'num_segments', 'price', 'price_unit', 'sid',
      'smsc_coding', 'smsc_payload_hex', 'smsc_udh', 'status', 'subresource_uris', 'to', 'uri',
    ]);
    expect(json).toMatchObject({
      smsc_coding: 'ucs2', smsc_payload_hex: null, smsc_udh: null,
      account_sid: account.sid, api_version: '2010-04-01', direction: 'outbound-api', error_code: null, error_message: null,
      from: FROM, to: TO, num_media: '0', num_segments: '1', price: null, date_sent: null, status: 'queued',
      uri: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}.json`,
    });
    // No `feedback`: there is no Feedback resource to point at.
    expect(json.subresource_uris).toEqual({
      media: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}/Media.json`,
      events: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}/Events.json`,
    });
    expect(json.date_created).toMatch(RFC2822);
    expect(await client.messages(message.sid).media.list()).toEqual([]);
    expect(json.date_updated).toMatch(RFC2822);
  });

  it('stores the dispatch columns and the first status event in one go', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'x', validityPeriod: 600, statusCallback: 'https://hooks.example.com/s?x=1' });
    const [row] = await db.query<{ status: string; coding: number; receipt_requested: boolean; validity: number; due: boolean; status_callback: string }>(
      `SELECT status, coding, receipt_requested, status_callback,
              round(extract(epoch FROM valid_until - date_created))::int AS validity, next_attempt_at <= now() AS due
       FROM messages WHERE sid = $1`, [message.sid]);
    expect(row).toEqual({ status: 'queued', coding: 0, receipt_requested: true, validity: 600, due: true, status_callback: 'https://hooks.example.com/s?x=1' });
    const events = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}/Events.json`, auth: basicAuth(account.sid, account.authToken) });
    expect(events.status).toBe(200);
    const body = events.json as { events: Array<Record<string, unknown>> };
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ type: 'status', status: 'queued', detail: {} });
  });

  it('counts segments: 161 GSM-7 characters and 71 UCS-2 characters are 2 each', async () => {
    const gsm = await client.messages.create({ to: TO, from: FROM, body: 'a'.repeat(161) });
    const ucs = await client.messages.create({ to: TO, from: FROM, body: 'ж'.repeat(71) });
    const one = await client.messages.create({ to: TO, from: FROM, body: 'ж'.repeat(70) });
    expect([gsm.numSegments, ucs.numSegments, one.numSegments]).toEqual(['2', '2', '1']);
    const codings = await db.query<{ sid: string; coding: number }>('SELECT sid, coding FROM messages WHERE sid = ANY($1)', [[gsm.sid, ucs.sid]]);
    expect(Object.fromEntries(codings.map((r) => [r.sid, r.coding]))).toEqual({ [gsm.sid]: 0, [ucs.sid]: 2 });
  });

  it('accepts JSON bodies and an alphanumeric sender ID', async () => {
    const response = await fetch(`${api.baseUrl}/2010-04-01/Accounts/${account.sid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basicAuth(account.sid, account.authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ To: TO, From: 'Acme Shop', Body: 'Your code is 1234', ValidityPeriod: 60 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ from: 'Acme Shop', status: 'queued', num_segments: '1' });
  });

  it('stores the Smsc* extension parameters', async () => {
    const udh = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, auth: basicAuth(account.sid, account.authToken),
      form: { To: TO, From: FROM, Body: 'part one', SmscUdh: '050003a10201', SmscMessageClass: '1' },
    });
    expect(udh.status).toBe(201);
    const binary = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, auth: basicAuth(account.sid, account.authToken),
      form: { To: TO, From: FROM, SmscBinaryBody: '0a0b0c' },
    });
    expect(binary.status).toBe(201);
    const rows = await db.query<{ sid: string; udh: string | null; coding: number; message_class: number | null; body: string }>(
      'SELECT sid, udh, coding, message_class, body FROM messages WHERE sid = ANY($1)',
      [[(udh.json as { sid: string }).sid, (binary.json as { sid: string }).sid]],
    );
    const bySid = Object.fromEntries(rows.map((r) => [r.sid, { udh: r.udh, coding: r.coding, cls: r.message_class, body: r.body }]));
    expect(bySid[(udh.json as { sid: string }).sid]).toEqual({ udh: '050003A10201', coding: 0, cls: 1, body: 'part one' });
    expect(bySid[(binary.json as { sid: string }).sid]).toEqual({ udh: null, coding: 1, cls: null, body: '0A0B0C' });
    const bad = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, auth: basicAuth(account.sid, account.authToken),
      form: { To: TO, From: FROM, Body: 'x', SmscUdh: '0600' },
    });
    expect(bad.json).toEqual({ code: 70002, message: 'Invalid parameter SmscUdh: UDHL is 6 but 1 octets follow it', more_info: 'https://www.twilio.com/docs/errors/70002', status: 400 });
  });

  it('answers validation errors with Twilio codes through RestException', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ to: 'not-a-number', from: FROM, body: 'x' }, 21211, "The 'To' number not-a-number is not a valid phone number."],
      [{ to: FROM, from: FROM, body: 'x' }, 21266, "'To' and 'From' numbers cannot be the same."],
      [{ to: TO, body: 'x' }, 21603, "A 'From' phone number is required."],
      [{ to: TO, from: 'bad_sender!', body: 'x' }, 21212, "The 'From' number bad_sender! is not a valid phone number, shortcode, or alphanumeric sender ID."],
      [{ to: TO, from: '+15005550007', body: 'x' }, 21606, "The 'From' phone number provided (+15005550007) is not a valid message-capable Twilio phone number for this destination/account."],
      [{ to: TO, from: FROM }, 21602, 'Message body is required.'],
      [{ to: TO, from: FROM, body: 'a'.repeat(1601) }, 21617, 'The concatenated message body exceeds the 1600 character limit.'],
      [{ to: TO, from: FROM, mediaUrl: ['https://example.com/a.png'] }, 21620, 'Invalid media URL(s): MediaUrl is not supported, this gateway sends SMS only.'],
    ];
    for (const [params, code, message] of cases) {
      const error = await restError(client.messages.create(params as never));
      expect(error).toEqual({ status: 400, code, message, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
    }
    const noTo = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`,
      auth: basicAuth(account.sid, account.authToken), form: { From: FROM, Body: 'x' },
    });
    expect(noTo).toMatchObject({ status: 400, json: { code: 21604, message: "A 'To' phone number is required.", more_info: 'https://www.twilio.com/docs/errors/21604', status: 400 } });
  });

  it('takes an empty optional form field as absent, as Swagger UI sends every field it shows', async () => {
    const empty = Object.fromEntries([
      'StatusCallback', 'StatusCallbackMethod', 'ValidityPeriod', 'SmartEncoded', 'MediaUrl', 'MessagingServiceSid', 'ContentSid',
      'SendAt', 'ScheduleType', 'ProvideFeedback', 'Attempt', 'ForceDelivery', 'SmscUdh', 'SmscCoding', 'SmscBinaryBody', 'SmscMessageClass',
    ].map((name) => [name, '']));
    const created = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`,
      auth: basicAuth(account.sid, account.authToken), form: { To: TO, From: FROM, Body: 'from the docs page', ...empty },
    });
    expect(created).toMatchObject({ status: 201, json: { status: 'queued', body: 'from the docs page', num_segments: '1' } });
    const [row] = await db.query<{ status_callback: string | null; coding: number }>('SELECT status_callback, coding FROM messages WHERE sid = $1', [(created.json as { sid: string }).sid]);
    expect(row).toEqual({ status_callback: null, coding: 0 });
    // An empty required field is as missing as an absent one; JSON keeps its empty strings (written on purpose).
    const noTo = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`,
      auth: basicAuth(account.sid, account.authToken), form: { To: '', From: FROM, Body: 'x' },
    });
    expect(noTo).toMatchObject({ status: 400, json: { code: 21604 } });
    const json = await fetch(`${api.baseUrl}/2010-04-01/Accounts/${account.sid}/Messages.json`, {
      method: 'POST', headers: { authorization: basicAuth(account.sid, account.authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ To: TO, From: FROM, Body: 'x', ValidityPeriod: '' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 70002 });
    // Empty list filters are absent too: ?To=&PageSize= lists everything with the default page size.
    const listed = await rawRequest({
      baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?To=&From=&DateSent=&PageSize=&PageToken=`,
      auth: basicAuth(account.sid, account.authToken),
    });
    expect(listed.status).toBe(200);
    expect((listed.json as { page_size: number; messages: unknown[] })).toMatchObject({ page_size: 50 });
    expect((listed.json as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
  });

  it('answers a body that is neither a form nor JSON with 415 / 70002', async () => {
    const response = await fetch(`${api.baseUrl}/2010-04-01/Accounts/${account.sid}/Messages.json`, {
      method: 'POST', headers: { authorization: basicAuth(account.sid, account.authToken), 'content-type': 'text/plain' },
      body: 'To=+15551234567&From=+15005550006&Body=x',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      code: 70002, message: 'Unsupported Content-Type text/plain: send application/x-www-form-urlencoded or application/json',
      more_info: 'https://www.twilio.com/docs/errors/70002', status: 415,
    });
  });

  it('answers 20404 for an unknown message and an unknown route', async () => {
    const sid = 'SM' + '0'.repeat(32);
    expect(await restError(client.messages(sid).fetch())).toEqual({
      status: 404, code: 20404, moreInfo: 'https://www.twilio.com/docs/errors/20404',
      message: `The requested resource /2010-04-01/Accounts/${account.sid}/Messages/${sid}.json was not found`,
    });
    const route = await rawRequest({ baseUrl: api.baseUrl, path: '/2010-04-01/Nothing.json' });
    expect(route).toMatchObject({ status: 404, json: { code: 20404, message: 'The requested resource /2010-04-01/Nothing.json was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 } });
  });

  it('cancels a queued message, then refuses to cancel it again (30409)', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'cancel me' });
    const canceled = await client.messages(message.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    expect(canceled.dateSent).toBeNull();
    expect(await restError(client.messages(message.sid).update({ status: 'canceled' }))).toEqual({
      status: 400, code: 30409, message: 'This message cannot be canceled', moreInfo: 'https://www.twilio.com/docs/errors/30409',
    });
    const [event] = await db.query<{ status: string }>("SELECT status FROM message_events WHERE message_sid = $1 AND status = 'canceled'", [message.sid]);
    expect(event?.status).toBe('canceled');
  });

  it('queues a canceled status callback when the canceled message has a StatusCallback', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'cancel with callback', statusCallback: 'https://hooks.example.com/status?x=1' });
    await client.messages(message.sid).update({ status: 'canceled' });
    const deliveries = await db.query<{ kind: string; url: string; params: Record<string, string> }>(
      'SELECT kind, url, params FROM webhook_deliveries WHERE message_sid = $1', [message.sid],
    );
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'status_callback', url: 'https://hooks.example.com/status?x=1' });
    expect(deliveries[0]?.params).toMatchObject({ MessageSid: message.sid, MessageStatus: 'canceled', SmsStatus: 'canceled', AccountSid: account.sid });
  });

  it('redacts a finished message and refuses to redact a queued one (30400)', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'secret' });
    const refused = await restError(client.messages(message.sid).update({ body: '' }));
    expect(refused).toMatchObject({ status: 400, code: 30400, message: 'Parameters are not valid: only a finished message can be redacted; this one is queued' });
    await db.query("UPDATE messages SET status = 'delivered', date_sent = now() WHERE sid = $1", [message.sid]);
    const redacted = await client.messages(message.sid).update({ body: '' });
    expect(redacted.body).toBe('');
    expect((await client.messages(message.sid).fetch()).body).toBe('');
  });

  it('rejects other updates with 30400', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'x' });
    const status = await restError(client.messages(message.sid).update({ status: 'delivered' as never }));
    expect(status).toMatchObject({ status: 400, code: 30400, message: 'Parameters are not valid: Status may only be canceled, not delivered' });
    const both = await restError(client.messages(message.sid).update({ body: '', status: 'canceled' }));
    expect(both).toMatchObject({ code: 30400, message: 'Parameters are not valid: redaction and cancellation cannot be combined' });
    const text = await restError(client.messages(message.sid).update({ body: 'new text' }));
    expect(text).toMatchObject({ code: 30400, message: 'Parameters are not valid: Body may only be "" (redaction)' });
  });

  it('deletes a finished message (204) and refuses one in progress (20009)', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'x' });
    expect(await restError(client.messages(message.sid).remove())).toEqual({
      status: 409, code: 20009, message: 'Cannot delete this resource before it is complete', moreInfo: 'https://www.twilio.com/docs/errors/20009',
    });
    await db.query("UPDATE messages SET status = 'undelivered' WHERE sid = $1", [message.sid]);
    const raw = await rawRequest({ baseUrl: api.baseUrl, method: 'DELETE', path: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}.json`, auth: basicAuth(account.sid, account.authToken) });
    expect(raw).toEqual({ status: 204, text: '', json: null });
    expect(await restError(client.messages(message.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    // Its history goes with it (message_events has no foreign key to cascade).
    expect(await db.query('SELECT id FROM message_events WHERE message_sid = $1', [message.sid])).toEqual([]);
    const other = await client.messages.create({ to: TO, from: FROM, body: 'y' });
    await db.query("UPDATE messages SET status = 'failed' WHERE sid = $1", [other.sid]);
    expect(await client.messages(other.sid).remove()).toBe(true);
  });

  it('deletes the receipts and finished callbacks of a deleted message, and keeps a pending callback', async () => {
    const message = await client.messages.create({ to: TO, from: FROM, body: 'z' });
    await db.query("UPDATE messages SET status = 'delivered' WHERE sid = $1", [message.sid]);
    await db.query(
      `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, stat, message_sid, match_attempts) VALUES ('sip', 'id:1 stat:DELIVRD', '+15551234567', '+15005550006', 'DELIVRD', $1, 1)`,
      [message.sid],
    );
    const [done] = await db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, state, max_attempts, deadline)
       VALUES ($1, $2, 'status_callback', 'https://hooks.example.com/s', 'POST', '{}', $3, 'failed', 1, now()) RETURNING id`,
      [account.sid, message.sid, `${message.sid}-done`],
    );
    await db.query(`INSERT INTO webhook_attempts (delivery_id, attempt, url, latency_ms) VALUES ($1, 1, 'https://hooks.example.com/s', 5)`, [done?.id]);
    await db.query(
      `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, max_attempts, deadline)
       VALUES ($1, $2, 'status_callback', 'https://hooks.example.com/s', 'POST', '{}', $3, 5, now() + interval '1 hour')`,
      [account.sid, message.sid, `${message.sid}-pending`],
    );
    expect(await client.messages(message.sid).remove()).toBe(true);
    // Without this, ON DELETE SET NULL would have left the receipt looking unmatched.
    expect(await db.query('SELECT id FROM delivery_receipts WHERE message_sid = $1 OR (message_sid IS NULL AND raw_text = $2)', [message.sid, 'id:1 stat:DELIVRD'])).toEqual([]);
    expect(await db.query('SELECT id FROM webhook_attempts WHERE delivery_id = $1', [done?.id])).toEqual([]);
    const left = await db.query<{ state: string }>('SELECT state FROM webhook_deliveries WHERE message_sid = $1', [message.sid]);
    expect(left).toEqual([{ state: 'pending' }]);
  });
});
