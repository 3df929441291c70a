// The embedded path: the same API over an in-memory PGlite database (a smaller run than on PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../helpers/test-database.js';
import { receiveSms } from '../../../src/messaging/receive-sms.js';
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

  it('stores inbound 8-bit data holding 0x00, whole and in parts, and shows it as hex', async () => {
    const base = {
      fromUser: '447700900123', toUser: '15005550006', coding: 1 as const, smscId: null, deliveryTime: null, route: 'sip' as const,
      reassemblyTimeoutMs: 60_000,
    };
    const single = await receiveSms(db, { ...base, text: '', payload: Buffer.from('00ff00', 'hex'), udhHex: null, requestKey: 'pglite-1' });
    expect(single.outcome).toBe('stored');
    await receiveSms(db, { ...base, text: '', payload: Buffer.from('0001', 'hex'), udhHex: '050003B10201', requestKey: 'pglite-2' });
    const assembled = await receiveSms(db, { ...base, text: '', payload: Buffer.from('0002', 'hex'), udhHex: '050003B10202', requestKey: 'pglite-3' });
    const show = async (result: typeof single) => {
      if (result.outcome !== 'stored') throw new Error(`not stored: ${result.outcome}`);
      const response = await fetch(`${api.baseUrl}/2010-04-01/Accounts/${account.sid}/Messages/${result.messageSid}.json`, {
        headers: { authorization: `Basic ${Buffer.from(`${account.sid}:${account.authToken}`).toString('base64')}` },
      });
      return response.json() as Promise<Record<string, unknown>>;
    };
    expect(await show(single)).toMatchObject({ body: '00FF00', smsc_payload_hex: '00FF00', smsc_coding: 'binary', direction: 'inbound' });
    expect(await show(assembled)).toMatchObject({ body: '00010002', smsc_payload_hex: '00010002', num_segments: '2', smsc_udh: null });
  });
});
