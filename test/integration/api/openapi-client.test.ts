// A client generated from the committed openapi/openapi.json (openapi-typescript → test/generated/openapi.d.ts,
// used through openapi-fetch) creates and lists messages against the real server.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, startApi, type ApiHarness } from './api-harness.js';

interface SchemaObject {
  properties: Record<string, { type?: string; enum?: string[]; properties?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  servers: unknown;
  paths: Record<string, Record<string, {
    requestBody?: { content: Record<string, unknown> };
    responses: Record<string, { content: Record<string, { schema: SchemaObject }> }>;
  }>>;
}

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

  it('describes Twilio\'s form encoding first, a server, and the status and direction values', async () => {
    const committed = JSON.parse(readFileSync(fileURLToPath(new URL('../../../openapi/openapi.json', import.meta.url)), 'utf8')) as OpenApiDocument;
    expect(committed.servers).toEqual([{ url: 'http://127.0.0.1:8080', description: 'npm start with the default HOST and PORT' }]);
    for (const [path, operations] of Object.entries(committed.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.requestBody) expect(Object.keys(operation.requestBody.content)[0], `${method} ${path}`).toBe('application/x-www-form-urlencoded');
      }
    }
    const message = committed.paths['/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json']!.get!.responses['200']!.content['application/json']!.schema;
    expect(message.properties.status).toMatchObject({ type: 'string', enum: [
      'queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received', 'accepted', 'scheduled', 'read',
      'partially_delivered', 'canceled',
    ] });
    expect(message.properties.direction).toMatchObject({ type: 'string', enum: ['inbound', 'outbound-api', 'outbound-call', 'outbound-reply'] });
    expect(Object.keys(message.properties.subresource_uris!.properties!)).toEqual(['events', 'media']);
    // Served, the document names the server that answered.
    const served = await (await fetch(`${api.baseUrl}/openapi.json`)).json() as OpenApiDocument;
    expect(served.servers).toEqual([{ url: api.baseUrl, description: 'This server' }]);
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
