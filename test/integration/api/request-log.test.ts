// One info line per API request (method, route pattern, status, Twilio code, duration, messageSid) and the HTTP
// metrics by route pattern and status.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { createHttpMetrics } from '../../../src/metrics/http-metrics.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { basicAuth, newAccount } from './api-harness.js';

const MESSAGES = '/2010-04-01/Accounts/:AccountSid/Messages.json';

describe('request log and HTTP metrics', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('logs each API outcome at info and counts it under its route pattern', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const registry = new Registry();
    const app = await buildApp({ db, logger: pino({ level: 'info' }, stream), config: {}, httpMetrics: createHttpMetrics(registry) });
    try {
      const account = await newAccount(db);
      const headers = { authorization: basicAuth(account.sid, account.authToken), 'content-type': 'application/x-www-form-urlencoded' };
      const url = `/2010-04-01/Accounts/${account.sid}/Messages.json`;
      const number = await app.inject({ method: 'POST', url: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`, headers, payload: 'PhoneNumber=%2B15005550006' });
      expect(number.statusCode).toBe(201);
      const created = await app.inject({ method: 'POST', url, headers, payload: 'To=%2B15551234567&From=%2B15005550006&Body=hi' });
      expect(created.statusCode).toBe(201);
      const sid = (created.json() as { sid: string }).sid;
      const refused = await app.inject({ method: 'POST', url, headers, payload: 'To=nope&From=%2B15005550006&Body=hi' });
      expect(refused.statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: `/2010-04-01/Accounts/${account.sid}/Messages/${sid}.json`, headers })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/2010-04-01/Nope.json', headers })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      const completed = lines.filter((line) => line.msg === 'request completed');
      expect(completed.map(({ level, method, route, status, twilioCode, messageSid }) => ({ level, method, route, status, twilioCode, messageSid }))).toEqual([
        { level: 30, method: 'POST', route: '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json', status: 201, twilioCode: null, messageSid: null },
        { level: 30, method: 'POST', route: MESSAGES, status: 201, twilioCode: null, messageSid: sid },
        { level: 30, method: 'POST', route: MESSAGES, status: 400, twilioCode: 21211, messageSid: null },
        { level: 30, method: 'GET', route: '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json', status: 200, twilioCode: null, messageSid: sid },
        { level: 30, method: 'GET', route: 'unmatched', status: 404, twilioCode: 20404, messageSid: null },
        // Outside the Twilio API (/healthz, polled; /nowhere) the line is debug, below this logger's level.
      ]);
      expect(completed[4]).toMatchObject({ url: '/2010-04-01/Nope.json' });
      expect(completed.every((line) => typeof line.ms === 'number')).toBe(true);

      const text = await registry.metrics();
      expect(text).toContain(`http_requests_total{method="POST",route="${MESSAGES}",status="201",code=""} 1`);
      expect(text).toContain(`http_requests_total{method="POST",route="${MESSAGES}",status="400",code="21211"} 1`);
      expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404",code="20404"} 2');
      expect(text).toContain('http_requests_total{method="GET",route="/healthz",status="200",code=""} 1');
      expect(text).toContain(`http_request_duration_seconds_count{method="POST",route="${MESSAGES}",status="201"} 1`);
      expect(text).not.toContain(sid);
    } finally {
      await app.close();
    }
  });
});
