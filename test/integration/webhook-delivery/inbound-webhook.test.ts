// Inbound-SMS webhooks end to end: delivery rows in a cloned PostgreSQL database, a real worker, a real node:http
// receiver that validates every request with twilio.validateRequest. Covers POST/GET with query strings,
// fallback after a 500 and after a timeout, TwiML replies (<Message>, <Body>, <Redirect>), and bad TwiML.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimMessages } from '../../../src/dispatch/claim.js';
import type { Database } from '../../../src/store/database.js';
import type { WebhookDeliveryWorker, WebhookDeliveryWorkerOptions } from '../../../src/webhooks/delivery-worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  attemptsOf, delivery, eventsOf, HANDSET, insertInbound, newAccount, OUR_NUMBER, repliesTo, settled,
  startSignedReceiver, testWorker, twiml, waitFor, type SignedReceiver,
} from './fixtures.js';

let testDb: TestDatabase;
let db: Database;
let receiver: SignedReceiver;
let account: { sid: string; authToken: string };
let worker: WebhookDeliveryWorker | undefined;
let repliesQueued = 0;

beforeEach(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  account = await newAccount(db);
  receiver = await startSignedReceiver(() => account.authToken);
  repliesQueued = 0;
});

afterEach(async () => {
  await worker?.stop({ drainMs: 0 });
  worker = undefined;
  expect(receiver.rejected.map((r) => r.url)).toEqual([]);
  await receiver.close();
  await db.close();
  await testDb.drop();
});

function run(overrides: Partial<WebhookDeliveryWorkerOptions> = {}): WebhookDeliveryWorker {
  worker = testWorker({ db, onReplyQueued: () => void (repliesQueued += 1), ...overrides });
  worker.start();
  return worker;
}

describe('inbound webhook requests', () => {
  it('POSTs the signed parameters to a URL with a query string; a success leaves its delivery row alone', async () => {
    const url = `${receiver.baseUrl}/sms?tenant=acme&x=1`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    receiver.answer((_req, res) => twiml(res, '<Response/>'));
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    const row = await delivery(db, inbound.deliveryId);
    expect(row).toMatchObject({ state: 'succeeded', attempts: 1, last_http_status: 200, last_error: null, claimed_by: null });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(url);
    expect(request!.params).toEqual(inbound.params);
    expect(request!.headers['i-twilio-idempotency-token']).toBe(row.idempotency_token);
    // Issue 13: webhook_attempts holds failed attempts only, and there are no `webhook` message events.
    expect(await attemptsOf(db, inbound.deliveryId)).toEqual([]);
    expect(typeof row.last_latency_ms).toBe('number');
    expect(await eventsOf(db, inbound.messageSid, 'webhook')).toEqual([]);
    expect(await repliesTo(db, inbound.messageSid)).toEqual([]);
  });

  it('sends GET webhooks with the parameters appended to the existing query string', async () => {
    const url = `${receiver.baseUrl}/sms?tenant=acme`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url, method: 'GET', body: 'a+b & c=d' });
    receiver.answer((_req, res) => void res.writeHead(204).end());
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect((await delivery(db, inbound.deliveryId)).state).toBe('succeeded');
    const [request] = receiver.requests;
    expect(request!.method).toBe('GET');
    const query = new URL(request!.url).searchParams;
    expect(query.get('tenant')).toBe('acme');
    expect(query.get('Body')).toBe('a+b & c=d');
    expect(query.get('MessageSid')).toBe(inbound.messageSid);
    expect(request!.rawBody).toBe('');
  });
});

describe('SmsFallbackUrl', () => {
  it('is called at once after a 500, with ErrorCode 11217 and ErrorUrl, and its TwiML is executed', async () => {
    const url = `${receiver.baseUrl}/primary?a=1`;
    const fallbackUrl = `${receiver.baseUrl}/fallback?b=2`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url, fallbackUrl });
    receiver.answer((req, res) => {
      if (req.url.includes('/primary')) res.writeHead(500).end('boom');
      else twiml(res, '<Response><Message>From the fallback</Message></Response>');
    });
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect(await delivery(db, inbound.deliveryId)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(receiver.requests.map((r) => r.url)).toEqual([url, fallbackUrl]);
    expect(receiver.requests[1]!.params).toEqual({ ...inbound.params, ErrorCode: '11217', ErrorUrl: url });
    // The attempt succeeded (through the fallback): no attempt rows, no `webhook` events (issue 13).
    expect(await attemptsOf(db, inbound.deliveryId)).toEqual([]);
    expect(await eventsOf(db, inbound.messageSid, 'webhook')).toEqual([]);
    expect((await repliesTo(db, inbound.messageSid)).map((r) => r.body)).toEqual(['From the fallback']);
  });

  it('is called after a timeout with ErrorCode 11200', async () => {
    const url = `${receiver.baseUrl}/slow`;
    const fallbackUrl = `${receiver.baseUrl}/fallback`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url, fallbackUrl });
    receiver.answer((req, res) => {
      if (req.url.endsWith('/slow')) return; // never answers
      res.writeHead(204).end();
    });
    run({ timeoutMs: 300 });
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect((await delivery(db, inbound.deliveryId)).state).toBe('succeeded');
    expect(receiver.requests[1]!.params).toMatchObject({ ErrorCode: '11200', ErrorUrl: url });
    expect(await attemptsOf(db, inbound.deliveryId)).toEqual([]);
  });

  it('without a fallback, a failing webhook is retried with the same idempotency token, then failed', async () => {
    const url = `${receiver.baseUrl}/down`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url, maxAttempts: 3 });
    receiver.answer((_req, res) => void res.writeHead(503).end());
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    const row = await delivery(db, inbound.deliveryId);
    expect(row).toMatchObject({ state: 'failed', attempts: 3, last_http_status: 503, last_error: '11217: HTTP 503' });
    expect(receiver.requests.map((r) => r.headers['i-twilio-idempotency-token'])).toEqual(Array(3).fill(row.idempotency_token));
    // Every attempt failed: one attempt row each, and still no `webhook` events.
    expect((await attemptsOf(db, inbound.deliveryId)).map((a) => [a.attempt, a.error_code])).toEqual([[1, 11217], [2, 11217], [3, 11217]]);
    expect(await eventsOf(db, inbound.messageSid, 'webhook')).toEqual([]);
  });
});

describe('TwiML replies', () => {
  it('<Message> queues one outbound-reply with Twilio\'s to/from defaults and action as status callback', async () => {
    const url = `${receiver.baseUrl}/sms`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    receiver.answer((_req, res) =>
      twiml(res, '<?xml version="1.0"?><Response><Message action="/status?m=1" method="GET">Thanks! 👍</Message></Response>'),
    );
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect((await delivery(db, inbound.deliveryId)).state).toBe('succeeded');
    const replies = await repliesTo(db, inbound.messageSid);
    expect(replies).toMatchObject([{
      from_address: OUR_NUMBER,
      to_address: HANDSET,
      body: 'Thanks! 👍',
      status: 'queued',
      direction: 'outbound-reply',
      status_callback: `${receiver.baseUrl}/status?m=1`,
      status_callback_method: 'GET',
      num_segments: 1,
      coding: 2,
      in_reply_to_sid: inbound.messageSid,
      due: true,
    }]);
    expect(repliesQueued).toBe(1);
    // Its queued step is the row itself (in_reply_to_sid above): an ordinary step writes no message_events row.
    expect(await eventsOf(db, replies[0]!.sid)).toEqual([]);
    expect(await eventsOf(db, inbound.messageSid, 'twiml_reply')).toMatchObject([{ detail: { replySid: replies[0]!.sid } }]);
    // The outbound dispatcher's own claim picks the reply up like any API message (the SIP leg is tested there).
    const claimed = await db.transaction((query) => claimMessages(query, { instanceId: 'dispatcher', limit: 10, leaseMs: 1000, defaultRoute: 'sip' }));
    expect(claimed).toMatchObject([{ sid: replies[0]!.sid, to: HANDSET, from: OUR_NUMBER, body: 'Thanks! 👍', coding: 2, route: 'sip' }]);
  });

  it('nested <Body> with explicit to/from and the deprecated statusCallback attribute', async () => {
    const url = `${receiver.baseUrl}/sms`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    const text = 'x'.repeat(200);
    receiver.answer((_req, res) =>
      twiml(res, `<Response><Message to="+447700900555" from="${OUR_NUMBER}" statusCallback="${receiver.baseUrl}/cb"><Body>${text}</Body></Message></Response>`),
    );
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect(await repliesTo(db, inbound.messageSid)).toMatchObject([{
      to_address: '+447700900555', from_address: OUR_NUMBER, body: text, num_segments: 2, coding: 0,
      status_callback: `${receiver.baseUrl}/cb`, status_callback_method: 'POST', direction: 'outbound-reply',
    }]);
  });

  it('follows <Redirect> (relative URL, method GET) with signed parameters', async () => {
    const url = `${receiver.baseUrl}/start?x=1`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    receiver.answer((req, res) => {
      if (req.url.includes('/start')) twiml(res, '<Response><Redirect method="GET">next?step=2</Redirect></Response>');
      else twiml(res, '<Response><Message>After redirect</Message></Response>');
    });
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect(receiver.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    const second = new URL(receiver.requests[1]!.url);
    expect(second.pathname).toBe('/next');
    expect(second.searchParams.get('step')).toBe('2');
    expect(second.searchParams.get('MessageSid')).toBe(inbound.messageSid);
    expect((await repliesTo(db, inbound.messageSid)).map((r) => r.body)).toEqual(['After redirect']);
    expect(await attemptsOf(db, inbound.deliveryId)).toEqual([]);
  });

  it('stops a redirect loop after 10 documents with 14106 and sends nothing', async () => {
    const url = `${receiver.baseUrl}/loop`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    receiver.answer((_req, res) => twiml(res, '<Response><Message>not sent</Message><Redirect>/loop</Redirect></Response>'));
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect(receiver.requests).toHaveLength(10);
    expect(await delivery(db, inbound.deliveryId)).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await delivery(db, inbound.deliveryId)).last_error).toMatch(/^14106: Document retrieval limit reached/);
    expect(await eventsOf(db, inbound.messageSid, 'twiml')).toMatchObject([{ detail: { code: 14106, level: 'error' } }]);
    expect(await repliesTo(db, inbound.messageSid)).toEqual([]);
  });

  it('records malformed TwiML as 12100 and keeps working', async () => {
    const url = `${receiver.baseUrl}/broken`;
    const inbound = await insertInbound(db, { accountSid: account.sid, url });
    receiver.answer((req, res) => {
      if (req.url.endsWith('/broken')) twiml(res, '<Response><Message>oops</Response>');
      else twiml(res, '<Response><Message>fine</Message></Response>');
    });
    run();
    await waitFor('delivery', () => settled(db, inbound.deliveryId));

    expect(await delivery(db, inbound.deliveryId)).toMatchObject({ state: 'failed', attempts: 1, last_http_status: 200 });
    expect(await attemptsOf(db, inbound.deliveryId)).toMatchObject([{ http_status: 200, error_code: 12100 }]);
    expect(await eventsOf(db, inbound.messageSid, 'twiml')).toMatchObject([{ detail: { code: 12100, level: 'error', url } }]);
    expect(await repliesTo(db, inbound.messageSid)).toEqual([]);

    const next = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/ok` });
    worker!.nudge();
    await waitFor('next delivery', () => settled(db, next.deliveryId));
    expect((await repliesTo(db, next.messageSid)).map((r) => r.body)).toEqual(['fine']);
  });

  it('an empty <Response/> and a 204 mean no reply', async () => {
    const empty = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/empty` });
    const noContent = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/none` });
    receiver.answer((req, res) => {
      if (req.url.endsWith('/empty')) twiml(res, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
      else res.writeHead(204, { 'content-type': 'application/json' }).end();
    });
    run();
    await waitFor('deliveries', async () => (await settled(db, empty.deliveryId)) && settled(db, noContent.deliveryId));

    for (const inbound of [empty, noContent]) {
      expect((await delivery(db, inbound.deliveryId)).state).toBe('succeeded');
      expect(await repliesTo(db, inbound.messageSid)).toEqual([]);
      expect(await eventsOf(db, inbound.messageSid, 'twiml')).toEqual([]);
    }
    expect(repliesQueued).toBe(0);
  });
});
