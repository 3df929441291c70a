// The group-commit writer behind the real HTTP API: 500 concurrent creates are all answered 201, every one of them
// is stored with its `queued` event, and they were committed in fewer transactions than messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { createBatchedMessageWriter } from '../../../src/store/batched-message-writer.js';
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import { basicAuth, newAccount, rawRequest, startApi, type ApiHarness } from './api-harness.js';

const FROM = '+15005550006';
const COUNT = 500;

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`group commit through HTTP (${kind})`, () => {
    let testDb: TestDatabase | undefined;
    let db: Database;
    let api: ApiHarness;
    let account: Account;

    beforeAll(async () => {
      if (kind === 'postgres') {
        testDb = await createTestDatabase();
        db = await testDb.open();
      } else {
        db = await createPgliteDatabase();
      }
      api = await startApi({ db, messageWriter: createBatchedMessageWriter({ db }) });
      account = await newAccount(db);
      await db.query('INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name) VALUES ($1, $2, $3, $3)', [
        `PN${'0'.repeat(32)}`, account.sid, FROM,
      ]);
    });
    afterAll(async () => {
      await api?.close();
      await db?.close();
      await testDb?.drop();
    });

    it(`answers ${COUNT} concurrent creates with 201 and stores every message (its queued step is the row: no event row)`, async () => {
      const auth = basicAuth(account.sid, account.authToken);
      const responses = await Promise.all(Array.from({ length: COUNT }, (_, i) => rawRequest({
        baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, method: 'POST', auth,
        form: { To: `+1555${String(i).padStart(7, '0')}`, From: FROM, Body: `message ${i} "quoted" \\ {x}` },
      })));
      expect(responses.filter((r) => r.status !== 201).map((r) => r.text)).toEqual([]);
      const bodies = responses.map((r) => r.json as { sid: string; to: string; body: string; status: string });
      // Each caller got its own row back.
      expect(bodies.map((b) => [b.to, b.body, b.status])).toEqual(
        Array.from({ length: COUNT }, (_, i) => [`+1555${String(i).padStart(7, '0')}`, `message ${i} "quoted" \\ {x}`, 'queued']),
      );
      const sids = bodies.map((b) => b.sid);
      expect(new Set(sids).size).toBe(COUNT);
      const [stored] = await db.query<{ messages: number; events: number; transactions: number }>(
        `SELECT count(*)::int AS messages,
                (SELECT count(*)::int FROM message_events e WHERE e.message_sid = ANY($1::text[])) AS events,
                count(DISTINCT xmin::text)::int AS transactions
         FROM messages WHERE sid = ANY($1::text[]) AND status = 'queued'`,
        [sids],
      );
      expect(stored?.messages).toBe(COUNT);
      expect(stored?.events).toBe(0);
      const history = await loadMessageHistory(db, { accountSid: account.sid, sid: sids[0] as string });
      expect(history?.map((e) => [e.type, e.status])).toEqual([['status', 'queued']]);
      // PGlite runs its queries inside this very event loop, which also drives the 500 client requests: they reach
      // the writer one after another, so only PostgreSQL shows commits shared between HTTP requests here.
      if (kind === 'postgres') expect(stored?.transactions).toBeLessThan(COUNT);
    });

    it('writes 250 calls made in one turn as three statements (100, 100, 50), and no event rows', async () => {
      const writer = createBatchedMessageWriter({ db });
      const rows = await Promise.all(Array.from({ length: 250 }, (_, i) => writer.insertMessage({
        sid: `SM${String(i).padStart(32, 'f')}`, accountSid: account.sid, from: FROM, to: '+15551234567', body: `direct ${i}`,
        numSegments: 1, coding: 0, udh: null, messageClass: null, validitySeconds: 600, statusCallback: null,
        statusCallbackMethod: 'POST', receiptRequested: false,
      })));
      expect(rows.map((r) => r.body)).toEqual(Array.from({ length: 250 }, (_, i) => `direct ${i}`));
      const sids = rows.map((r) => r.sid);
      const perTransaction = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) GROUP BY xmin::text ORDER BY n DESC', [sids],
      );
      expect(perTransaction.map((r) => r.n)).toEqual([100, 100, 50]);
      const [events] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM message_events WHERE message_sid = ANY($1::text[])', [sids],
      );
      expect(events?.n).toBe(0);
    });

    it('refuses only the opted-out recipients of a concurrent batch (21610) and writes the rest', async () => {
      const auth = basicAuth(account.sid, account.authToken);
      const blocked = ['+16660000001', '+16660000003'];
      for (const [i, to] of blocked.entries()) {
        await db.query(
          "INSERT INTO opt_outs (sid, account_sid, scope, sender, recipient, keyword) VALUES ($1, $2, 'number', $3, $4, 'STOP')",
          [`OO${String(i).padStart(32, '0')}`, account.sid, FROM, to],
        );
      }
      const recipients = Array.from({ length: 6 }, (_, i) => `+166600000${String(i).padStart(2, '0')}`);
      const responses = await Promise.all(recipients.map((to) => rawRequest({
        baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, method: 'POST', auth,
        form: { To: to, From: FROM, Body: 'batch with opt-outs' },
      })));
      expect(responses.map((r) => [r.status, r.status === 400 ? (JSON.parse(r.text) as { code: number }).code : null]))
        .toEqual(recipients.map((to) => (blocked.includes(to) ? [400, 21610] : [201, null])));
      const stored = await db.query<{ to_address: string }>(
        "SELECT to_address FROM messages WHERE body = 'batch with opt-outs' ORDER BY to_address",
      );
      expect(stored.map((r) => r.to_address)).toEqual(recipients.filter((to) => !blocked.includes(to)));
    });

    it('still refuses a sender the account does not own, one request at a time', async () => {
      const response = await rawRequest({
        baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json`, method: 'POST',
        auth: basicAuth(account.sid, account.authToken), form: { To: '+15551234567', From: '+15005550999', Body: 'x' },
      });
      expect(response.status).toBe(400);
      expect((response.json as { code: number }).code).toBe(21606);
    });
  });
}
