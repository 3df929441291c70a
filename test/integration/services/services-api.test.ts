// Messaging Services API v1 driven by the official twilio SDK (client.messaging.v1), on PostgreSQL and PGlite:
// services created, paged, changed and deleted; the sender pool; tenant isolation; v1's JSON and paging shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from '../api/api-harness.js';

const engines: Array<[string, () => Promise<{ db: Database; drop: () => Promise<void> }>]> = [
  ['PostgreSQL', async () => {
    const testDb: TestDatabase = await createTestDatabase();
    const db = await testDb.open();
    return { db, drop: async () => { await db.close(); await testDb.drop(); } };
  }],
  ['PGlite', async () => {
    const db = await createPgliteDatabase();
    return { db, drop: () => db.close() };
  }],
];

describe.each(engines)('Messaging Services v1 on %s (twilio SDK)', (_name, open) => {
  let env: { db: Database; drop: () => Promise<void> };
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;

  beforeAll(async () => {
    env = await open();
    api = await startApi({ db: env.db });
    account = await newAccount(env.db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
  });
  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  it('creates, fetches, pages, updates and deletes services', async () => {
    const created = await client.messaging.v1.services.create({
      friendlyName: 'My Svc', stickySender: true, areaCodeGeomatch: false, validityPeriod: 600,
      useInboundWebhookOnNumber: true, inboundRequestUrl: 'https://hooks.example.com/in',
    });
    expect(created.sid).toMatch(/^MG[0-9a-f]{32}$/);
    expect(created).toMatchObject({
      friendlyName: 'My Svc', accountSid: account.sid, stickySender: true, areaCodeGeomatch: false, validityPeriod: 600,
      useInboundWebhookOnNumber: true, inboundRequestUrl: 'https://hooks.example.com/in', inboundMethod: 'POST',
      usecase: 'undeclared', url: `${api.baseUrl}/v1/Services/${created.sid}`,
    });
    expect(created.dateCreated).toBeInstanceOf(Date);
    expect(created.links.phone_numbers).toBe(`${api.baseUrl}/v1/Services/${created.sid}/PhoneNumbers`);
    const second = await client.messaging.v1.services.create({ friendlyName: 'Second' });
    expect(second.validityPeriod).toBe(36000);

    // Two pages of one, followed through the absolute next_page_url.
    const listed = await client.messaging.v1.services.list({ pageSize: 1 });
    expect(listed.map((s) => s.sid).sort()).toEqual([created.sid, second.sid].sort());
    const raw = await rawRequest({ baseUrl: api.baseUrl, path: '/v1/Services?PageSize=1', auth: basicAuth(account.sid, account.authToken) });
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({
      meta: {
        key: 'services', page: 0, page_size: 1, previous_page_url: null,
        next_page_url: `${api.baseUrl}/v1/Services?PageSize=1&Page=1`, first_page_url: `${api.baseUrl}/v1/Services?PageSize=1&Page=0`,
      },
    });
    const item = (raw.json as { services: Array<Record<string, unknown>> }).services[0];
    expect(item?.date_created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const updated = await client.messaging.v1.services(created.sid).update({ stickySender: false });
    expect(updated).toMatchObject({ stickySender: false, friendlyName: 'My Svc', validityPeriod: 600 });
    expect((await client.messaging.v1.services(created.sid).fetch()).stickySender).toBe(false);
    expect(await restError(client.messaging.v1.services(created.sid).update({ usecase: 'spam' }))).toMatchObject({ status: 400, code: 21713 });

    expect(await client.messaging.v1.services(second.sid).remove()).toBe(true);
    expect(await restError(client.messaging.v1.services(second.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('manages the sender pool: add, list, fetch, remove; one service per number', async () => {
    const service = await client.messaging.v1.services.create({ friendlyName: 'Pool' });
    const other = await client.messaging.v1.services.create({ friendlyName: 'Other' });
    const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550101' });
    const added = await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    expect(added).toMatchObject({
      sid: number.sid, serviceSid: service.sid, phoneNumber: '+15005550101', countryCode: 'US', capabilities: ['SMS'],
      url: `${api.baseUrl}/v1/Services/${service.sid}/PhoneNumbers/${number.sid}`,
    });
    expect((await client.messaging.v1.services(service.sid).phoneNumbers.list()).map((n) => n.sid)).toEqual([number.sid]);
    expect((await client.messaging.v1.services(service.sid).phoneNumbers(number.sid).fetch()).phoneNumber).toBe('+15005550101');
    expect(await restError(client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid })))
      .toMatchObject({ status: 400, code: 21710 });
    expect(await restError(client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: number.sid })))
      .toMatchObject({ status: 400, code: 21712 });
    expect(await restError(client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: `PN${'0'.repeat(32)}` })))
      .toMatchObject({ status: 400, code: 21421 });
    expect(await client.messaging.v1.services(service.sid).phoneNumbers(number.sid).remove()).toBe(true);
    expect(await client.messaging.v1.services(service.sid).phoneNumbers.list()).toEqual([]);
  });

  it('keeps tenants apart and answers v1 errors in Twilio\'s shape', async () => {
    const mine = await client.messaging.v1.services.create({ friendlyName: 'Mine' });
    const stranger = await newAccount(env.db, 'Stranger');
    const theirs = sdkClient(api.baseUrl, stranger.sid, stranger.authToken);
    expect(await restError(theirs.messaging.v1.services(mine.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await restError(theirs.messaging.v1.services(mine.sid).remove())).toMatchObject({ status: 404, code: 20404 });
    expect((await theirs.messaging.v1.services.list()).map((s) => s.sid)).not.toContain(mine.sid);
    const theirNumber = await theirs.incomingPhoneNumbers.create({ phoneNumber: '+15005550199' });
    expect(await restError(client.messaging.v1.services(mine.sid).phoneNumbers.create({ phoneNumberSid: theirNumber.sid })))
      .toMatchObject({ status: 400, code: 21421 });
    const unauthenticated = await rawRequest({ baseUrl: api.baseUrl, path: '/v1/Services' });
    expect(unauthenticated.status).toBe(401);
    expect(Object.keys(unauthenticated.json as object).sort()).toEqual(['code', 'message', 'more_info', 'status']);
  });
});
