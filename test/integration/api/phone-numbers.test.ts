// IncomingPhoneNumbers CRUD with the twilio SDK, in Twilio's JSON shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

describe('IncomingPhoneNumbers (twilio SDK, PostgreSQL)', () => {
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
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('creates, fetches, lists, updates and deletes a number', async () => {
    const number = await client.incomingPhoneNumbers.create({
      phoneNumber: '+447700900123', friendlyName: 'Support', smsUrl: 'https://app.example.com/sms', smsMethod: 'GET',
      smsFallbackUrl: 'https://app.example.com/fallback', statusCallback: 'https://app.example.com/status',
    });
    expect(number.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(number).toMatchObject({
      phoneNumber: '+447700900123', friendlyName: 'Support', smsUrl: 'https://app.example.com/sms', smsMethod: 'GET',
      smsFallbackUrl: 'https://app.example.com/fallback', smsFallbackMethod: 'POST', statusCallback: 'https://app.example.com/status',
      statusCallbackMethod: 'POST', accountSid: account.sid, capabilities: { voice: false, sms: true, mms: false, fax: false },
      uri: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers/${number.sid}.json`,
    });
    expect((await client.incomingPhoneNumbers(number.sid).fetch()).phoneNumber).toBe('+447700900123');
    const listed = await client.incomingPhoneNumbers.list({ phoneNumber: '+447700900123' });
    expect(listed.map((n) => n.sid)).toEqual([number.sid]);
    const updated = await client.incomingPhoneNumbers(number.sid).update({ smsUrl: 'https://app.example.com/v2', friendlyName: 'Sales' });
    expect([updated.smsUrl, updated.friendlyName, updated.smsMethod]).toEqual(['https://app.example.com/v2', 'Sales', 'GET']);
    const raw = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers/${number.sid}.json`, auth: basicAuth(account.sid, account.authToken) });
    expect(raw.json).toMatchObject({ date_created: expect.stringMatching(/ \+0000$/), status: 'in-use', beta: false });
    expect(await client.incomingPhoneNumbers(number.sid).remove()).toBe(true);
    expect(await restError(client.incomingPhoneNumbers(number.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses an invalid number, a taken number and a fallback without SmsUrl', async () => {
    expect(await restError(client.incomingPhoneNumbers.create({ phoneNumber: '07700 900123' }))).toEqual({
      status: 400, code: 21421, message: 'PhoneNumber is invalid: 07700 900123 is not an E.164 number', moreInfo: 'https://www.twilio.com/docs/errors/21421',
    });
    await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550300' });
    const other = await newAccount(db, 'Other');
    const otherClient = sdkClient(api.baseUrl, other.sid, other.authToken);
    expect(await restError(otherClient.incomingPhoneNumbers.create({ phoneNumber: '+15005550300' }))).toEqual({
      status: 400, code: 21422, moreInfo: 'https://www.twilio.com/docs/errors/21422',
      message: 'PhoneNumber +15005550300 is not available: it is already provisioned on this installation',
    });
    expect(await restError(client.incomingPhoneNumbers.create({ phoneNumber: '+15005550301', smsFallbackUrl: 'https://x.example.com/f' })))
      .toMatchObject({ status: 400, code: 21406 });
    expect(await restError(client.incomingPhoneNumbers.create({ phoneNumber: '+15005550302', smsUrl: 'not a url' })))
      .toMatchObject({ status: 400, code: 21502, message: 'Invalid SmsUrl: not a url' });
  });
});
