// Credentials, API keys and subaccounts with the twilio SDK: who may act on which account, and what leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

const MORE_20003 = 'https://www.twilio.com/docs/errors/20003';

describe('authentication, API keys and subaccounts (twilio SDK, PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  let parent: Account;
  let client: TwilioClient;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    api = await startApi({ db });
    parent = await newAccount(db, 'Parent');
    client = sdkClient(api.baseUrl, parent.sid, parent.authToken);
    await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550100' });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('rejects a wrong token and missing credentials with 401 / 20003', async () => {
    const wrong = sdkClient(api.baseUrl, parent.sid, 'f'.repeat(32));
    expect(await restError(wrong.messages.list())).toEqual({
      status: 401, code: 20003, message: 'Authentication Error - Your AccountSid or AuthToken was incorrect.', moreInfo: MORE_20003,
    });
    const none = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${parent.sid}/Messages.json` });
    expect(none).toMatchObject({ status: 401, json: { code: 20003, message: 'Authentication Error - No credentials provided', more_info: MORE_20003, status: 401 } });
  });

  it('creates an API key whose SK sid and secret work as credentials until it is deleted', async () => {
    const key = await client.newKeys.create({ friendlyName: 'ci' });
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(key.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(key.friendlyName).toBe('ci');
    const viaKey = sdkClient(api.baseUrl, key.sid, key.secret, parent.sid);
    const message = await viaKey.messages.create({ to: '+15551230000', from: '+15005550100', body: 'via key' });
    expect((await client.messages(message.sid).fetch()).body).toBe('via key');
    const fetched = await client.keys(key.sid).fetch();
    expect([fetched.sid, fetched.friendlyName]).toEqual([key.sid, 'ci']);
    expect((await client.keys.list()).map((k) => k.sid)).toEqual([key.sid]);
    // Keys are Standard keys: they cannot manage keys or accounts.
    expect(await restError(viaKey.newKeys.create({ friendlyName: 'x' }))).toMatchObject({ status: 401, code: 20003 });
    const wrongSecret = sdkClient(api.baseUrl, key.sid, 'a'.repeat(32), parent.sid);
    expect(await restError(wrongSecret.messages.list())).toMatchObject({ status: 401, code: 20003 });
    expect(await client.keys(key.sid).remove()).toBe(true);
    expect(await restError(viaKey.messages.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it('lets a parent act on its subaccount, never the reverse, and leaks nothing across accounts', async () => {
    const child = await client.api.v2010.accounts.create({ friendlyName: 'Child' });
    expect(child.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(child.ownerAccountSid).toBe(parent.sid);
    expect(child.friendlyName).toBe('Child');
    const asParentOnChild = sdkClient(api.baseUrl, parent.sid, parent.authToken, child.sid);
    await asParentOnChild.incomingPhoneNumbers.create({ phoneNumber: '+15005550200' });
    const childMessage = await asParentOnChild.messages.create({ to: '+15551230001', from: '+15005550200', body: 'from child' });
    expect(childMessage.accountSid).toBe(child.sid);

    const childClient = sdkClient(api.baseUrl, child.sid, child.authToken);
    expect((await childClient.messages(childMessage.sid).fetch()).body).toBe('from child');
    const parentMessage = await client.messages.create({ to: '+15551230002', from: '+15005550100', body: 'parent only' });

    const childOnParent = sdkClient(api.baseUrl, child.sid, child.authToken, parent.sid);
    expect(await restError(childOnParent.messages.list())).toEqual({
      status: 401, code: 20003, moreInfo: MORE_20003,
      message: `Authentication Error - The credentials given cannot act on account ${parent.sid}`,
    });
    expect(await restError(childClient.messages(parentMessage.sid).fetch())).toEqual({
      status: 404, code: 20404, moreInfo: 'https://www.twilio.com/docs/errors/20404',
      message: `The requested resource /2010-04-01/Accounts/${child.sid}/Messages/${parentMessage.sid}.json was not found`,
    });
    expect((await childClient.messages.list()).map((m) => m.sid)).toEqual([childMessage.sid]);
    // A child may not send from its parent's number.
    expect(await restError(childClient.messages.create({ to: '+15551230003', from: '+15005550100', body: 'x' }))).toMatchObject({ status: 400, code: 21606 });
    // Subaccounts cannot create subaccounts.
    expect(await restError(childClient.api.v2010.accounts.create({ friendlyName: 'grandchild' }))).toMatchObject({ status: 401, code: 20003 });
    const visible = await client.api.v2010.accounts.list();
    expect(visible.map((a) => a.sid).sort()).toEqual([parent.sid, child.sid].sort());
    expect((await childClient.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([child.sid]);
  });

  it('keeps sibling accounts apart', async () => {
    const other = await newAccount(db, 'Unrelated');
    const otherOnParent = sdkClient(api.baseUrl, other.sid, other.authToken, parent.sid);
    expect(await restError(otherOnParent.incomingPhoneNumbers.list())).toMatchObject({ status: 401, code: 20003 });
    const raw = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${parent.sid}.json`, auth: basicAuth(other.sid, other.authToken) });
    expect(raw.status).toBe(401);
  });
});
