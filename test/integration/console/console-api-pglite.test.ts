// The console's JSON endpoints on the embedded PGlite (what `npm start` runs on by default): the same SQL
// (date_trunc buckets, json_agg attempt logs, the receipt ownership rule, the redeliver update) must work there.
// Data is written as the pipeline writes it: a message through the API, then its delivery rows by SQL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, startApi, type ApiHarness } from '../api/api-harness.js';

let db: Database;
let api: ApiHarness;
let account: Account;
let other: Account;
let sid: string;
let deliveryId: string;
const get = (path: string, who: Account = account) =>
  rawRequest({ baseUrl: api.baseUrl, path: `/console/api${path}`, auth: basicAuth(who.sid, who.authToken) });

beforeAll(async () => {
  db = await createPgliteDatabase();
  api = await startApi({ db });
  account = await newAccount(db, 'Embedded');
  other = await newAccount(db, 'Someone else');
  const auth = basicAuth(account.sid, account.authToken);
  await rawRequest({ baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`, auth, form: { PhoneNumber: '+15005550006' } });
  const created = await rawRequest({
    baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, auth,
    form: { To: '+15551234567', From: '+15005550006', Body: 'embedded' },
  });
  sid = (created.json as { sid: string }).sid;
  const [delivery] = await db.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, state, attempts,
       max_attempts, deadline, last_http_status, last_error, date_completed)
     VALUES ($1, $2, 'status_callback', 'http://127.0.0.1:9/status', 'POST', '{"MessageStatus":"sent"}', 'token-1', 'failed', 3,
       3, now(), 502, 'HTTP 502', now())
     RETURNING id::text AS id`,
    [account.sid, sid],
  );
  deliveryId = delivery!.id;
  await db.query(
    `INSERT INTO webhook_attempts (delivery_id, attempt, url, http_status, latency_ms, error_code, error)
     SELECT $1::bigint, n, 'http://127.0.0.1:9/status', 502, 12, 11200, 'HTTP 502' FROM generate_series(1, 3) AS n`,
    [deliveryId],
  );
  await db.query(
    `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, stat, match_attempts)
     VALUES ('sip', 'id:1 stat:DELIVRD', '15559999999', '15005550006', 'DELIVRD', 5),
            ('sip', 'id:2 stat:DELIVRD', '15559999999', '15009999999', 'DELIVRD', 5)`,
  );
});
afterAll(async () => {
  await api?.close();
  await db?.close();
});

it('answers the overview, search, message page, receipts and failed webhooks', async () => {
  const overview = (await get(`/Accounts/${account.sid}/overview`)).json as Record<string, unknown>;
  expect(overview).toMatchObject({ minutes: 60, queued: 1, sending: 0, failed_webhooks: 1, unmatched_receipts: 1, errors: [], link: null });
  expect(overview.per_minute).toEqual([{ minute: expect.stringMatching(/:00\.000Z$/), status: 'queued', count: 1 }]);

  const found = (await get(`/Accounts/${account.sid}/messages?Number=15551234567&Status=queued`)).json as { messages: Array<{ sid: string }> };
  expect(found.messages.map((m) => m.sid)).toEqual([sid]);

  const page = (await get(`/Accounts/${account.sid}/messages/${sid}`)).json as {
    events: Array<{ type: string; status: string }>; webhooks: Array<{ attempt_log: Array<{ attempt: number; date_created: string }> }>;
  };
  // The queued step comes from the message row; each failed attempt (webhook_attempts) is a webhook step.
  expect(page.events.map((e) => [e.type, e.status])).toEqual([['status', 'queued'], ['webhook', null], ['webhook', null], ['webhook', null]]);
  expect(page.webhooks[0]!.attempt_log.map((a) => a.attempt)).toEqual([1, 2, 3]);
  expect(new Date(page.webhooks[0]!.attempt_log[0]!.date_created).getTime()).toBeGreaterThan(0);

  const receipts = (await get(`/Accounts/${account.sid}/receipts/unmatched`)).json as { receipts: Array<{ raw_text: string }> };
  expect(receipts.receipts.map((r) => r.raw_text)).toEqual(['id:1 stat:DELIVRD']);
  const failed = (await get(`/Accounts/${account.sid}/webhooks/failed`)).json as { webhooks: Array<{ id: string; last_http_status: number }> };
  expect(failed.webhooks).toMatchObject([{ id: deliveryId, last_http_status: 502 }]);

  // Another account sees none of it.
  expect((await get(`/Accounts/${other.sid}/receipts/unmatched`, other)).json).toEqual({ receipts: [] });
  expect((await get(`/Accounts/${other.sid}/messages/${sid}`, other)).status).toBe(404);
  expect((await get(`/Accounts/${account.sid}/overview`, other)).status).toBe(401);
});

it('redelivers a failed delivery for one more attempt, keeping its token', async () => {
  const answer = await rawRequest({
    baseUrl: api.baseUrl, method: 'POST', path: `/console/api/Accounts/${account.sid}/webhooks/${deliveryId}/redeliver`,
    auth: basicAuth(account.sid, account.authToken),
  });
  expect(answer).toMatchObject({ status: 200, json: { requeued: true, webhook: { state: 'pending', attempts: 3, max_attempts: 4 } } });
  const [row] = await db.query<{ state: string; idempotency_token: string; due: boolean; date_completed: Date | null }>(
    `SELECT state, idempotency_token, next_attempt_at <= now() AS due, date_completed FROM webhook_deliveries WHERE id = $1::bigint`,
    [deliveryId],
  );
  expect(row).toEqual({ state: 'pending', idempotency_token: 'token-1', due: true, date_completed: null });
  const [event] = await db.query<{ detail: Record<string, unknown> }>(`SELECT detail FROM message_events WHERE message_sid = $1 AND type = 'webhook'`, [sid]);
  expect(event?.detail).toEqual({ deliveryId, outcome: 'redeliver', attempt: 4, requestedBy: account.sid });
});
