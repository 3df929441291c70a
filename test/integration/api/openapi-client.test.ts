// A client generated from the committed openapi/openapi.json (openapi-typescript → test/generated/openapi.d.ts,
// used through openapi-fetch) creates and lists messages against the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, startApi, type ApiHarness } from './api-harness.js';

describe('generated OpenAPI client', () => {
  let testDb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  let account: Account;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    api = await startApi({ db });
    account = await newAccount(db);
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('creates a number and a message, then lists the message', async () => {
    const client = createClient<paths>({ baseUrl: api.baseUrl, headers: { Authorization: basicAuth(account.sid, account.authToken) } });
    const params = { path: { AccountSid: account.sid } };
    const number = await client.POST('/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', { params, body: { PhoneNumber: '+15005550006' } });
    expect(number.response.status).toBe(201);
    const created = await client.POST('/2010-04-01/Accounts/{AccountSid}/Messages.json', {
      params, body: { To: '+15551234567', From: '+15005550006', Body: 'generated client' },
    });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ status: 'queued', body: 'generated client', num_segments: '1' });
    const listed = await client.GET('/2010-04-01/Accounts/{AccountSid}/Messages.json', { params: { ...params, query: { PageSize: 10 } } });
    expect(listed.response.status).toBe(200);
    expect(listed.data?.messages.map((m) => m.sid)).toEqual([created.data?.sid]);
    expect(listed.data?.page_size).toBe(10);
    const failed = await client.POST('/2010-04-01/Accounts/{AccountSid}/Messages.json', { params, body: { To: 'nope', From: '+15005550006', Body: 'x' } });
    expect(failed.error).toEqual({ code: 21211, message: "The 'To' number nope is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
  });
});
