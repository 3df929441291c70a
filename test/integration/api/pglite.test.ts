// The embedded path: the same API over an in-memory PGlite database (a smaller run than on PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { newAccount, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

describe('Messages API on PGlite (twilio SDK)', () => {
  let db: Database;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;

  beforeAll(async () => {
    db = await createPgliteDatabase();
    api = await startApi({ db });
    account = await newAccount(db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550006' });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });

  it('creates, pages, cancels, redacts and deletes', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await client.messages.create({ to: '+15551234567', from: '+15005550006', body: `m${i}` })).sid);
    expect((await client.messages.list({ pageSize: 2 })).map((m) => m.sid)).toEqual([...sids].reverse());
    const [first, second] = sids as [string, string];
    expect((await client.messages(first).update({ status: 'canceled' })).status).toBe('canceled');
    expect((await client.messages(first).update({ body: '' })).body).toBe('');
    expect(await client.messages(first).remove()).toBe(true);
    expect(await restError(client.messages(second).remove())).toMatchObject({ status: 409, code: 20009 });
    expect(await restError(client.messages.create({ to: '+15551234567', from: '+15005550006' }))).toMatchObject({ status: 400, code: 21602 });
    const key = await client.newKeys.create({ friendlyName: 'k' });
    const viaKey = sdkClient(api.baseUrl, key.sid, key.secret, account.sid);
    expect((await viaKey.messages.list({ pageSize: 50 })).length).toBe(4);
  });
});
