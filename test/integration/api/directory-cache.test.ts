// The caches in front of the per-message directory lookups (credentials, the From check, inbound number routing),
// on real PostgreSQL: a cached answer costs no query, and a write made through this process, by the API or by any
// store function, is seen at once although the TTL is long (store/directory-version.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/api/auth.js';
import { cacheSenderDirectory } from '../../../src/api/cached-sender-directory.js';
import { createInboundBatcher } from '../../../src/messaging/inbound-batch.js';
import type { ReceiveSmsOptions } from '../../../src/messaging/receive-sms.js';
import { createAccount, ensureAccount, type Account } from '../../../src/store/account-store.js';
import type { Database, SqlQuery } from '../../../src/store/database.js';
import { createPhoneNumber, createSenderDirectory, deletePhoneNumber } from '../../../src/store/phone-number-store.js';
import { newSecret, newSid } from '../../../src/messaging/sid.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { webhookRows } from '../inbound/inbound-fixtures.js';
import { basicAuth, rawRequest, startApi } from './api-harness.js';

const LONG_TTL_MS = 60_000;

/** A Database that records every raw statement and every Prisma model call made through it. */
function countingDatabase(inner: Database): { db: Database; statements: string[]; prismaCalls: string[] } {
  const statements: string[] = [];
  const prismaCalls: string[] = [];
  const recording = (query: SqlQuery): SqlQuery => <Row>(text: string, params?: readonly unknown[]) => {
    statements.push(text);
    return query<Row>(text, params);
  };
  const model = (name: string, target: object) => new Proxy(target, {
    get(object, method, receiver) {
      const value: unknown = Reflect.get(object, method, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        prismaCalls.push(`${name}.${String(method)}`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  const prisma = new Proxy(inner.prisma, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      return typeof property === 'string' && !property.startsWith('$') && typeof value === 'object' && value !== null
        ? model(property, value) : value;
    },
  });
  const db: Database = {
    ...inner,
    prisma,
    query: recording(inner.query),
    transaction: (work) => inner.transaction((query) => work(recording(query))),
  };
  return { db, statements, prismaCalls };
}

let testDb: TestDatabase;
let db: Database;
let account: Account;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  account = await createAccount(db, { friendlyName: 'Directory' });
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

let keySeq = 0;
function mo(toUser: string): ReceiveSmsOptions {
  keySeq += 1;
  return {
    fromUser: '447700900123', toUser, text: 'Hi', payload: Buffer.from('Hi'), coding: 0, udhHex: null, smscId: null,
    deliveryTime: null, requestKey: `directory-${keySeq}`, route: 'sip', reassemblyTimeoutMs: 60_000,
  };
}

function storedSid(result: { outcome: string; messageSid?: string }): string {
  if (result.outcome !== 'stored' || result.messageSid === undefined) throw new Error(`expected stored, got ${result.outcome}`);
  return result.messageSid;
}

describe('directory caches', () => {
  it('authenticates from memory, and a token rotated through this process is refused at once', async () => {
    const sid = newSid('AC');
    const first = newSecret();
    await ensureAccount(db, { sid, authToken: first });
    const counting = countingDatabase(db);
    const auth = createAuthenticator({ db: counting.db, ttlMs: LONG_TTL_MS });
    await auth.authenticate({ authorization: basicAuth(sid, first) });
    await auth.authenticate({ authorization: basicAuth(sid, first) });
    expect(counting.prismaCalls).toEqual(['account.findUnique']);

    const second = newSecret();
    await ensureAccount(db, { sid, authToken: second });
    await expect(auth.authenticate({ authorization: basicAuth(sid, first) })).rejects.toMatchObject({ key: 'credentialsInvalid' });
    expect((await auth.authenticate({ authorization: basicAuth(sid, second) })).accountSid).toBe(sid);
  });

  it('answers the From check from memory, and a number deleted through this process stops at once', async () => {
    const number = await createPhoneNumber(db, { accountSid: account.sid, phoneNumber: '+15005550150', settings: {} });
    const counting = countingDatabase(db);
    const senders = cacheSenderDirectory(createSenderDirectory(counting.db), { ttlMs: LONG_TTL_MS });
    const ask = () => senders.isIncomingNumberOf({ accountSid: account.sid, phoneNumber: '+15005550150' });
    expect([await ask(), await ask()]).toEqual([true, true]);
    expect(counting.statements).toHaveLength(1);
    expect(await deletePhoneNumber(db, { accountSid: account.sid, sid: number.sid })).toBe(true);
    expect(await ask()).toBe(false);
    expect(counting.statements).toHaveLength(2);
  });

  it('routes inbound SMS from memory, and sees a number changed through the API at once', async () => {
    const number = await createPhoneNumber(db, {
      accountSid: account.sid, phoneNumber: '+15005550160', settings: { smsUrl: 'https://app.example.com/before' },
    });
    const counting = countingDatabase(db);
    const inbound = createInboundBatcher({ db: counting.db });
    const lookups = () => counting.statements.filter((text) => text.includes('FROM phone_numbers p JOIN accounts a')).length;
    const before = storedSid(await inbound.receiveSms(mo('15005550160')));
    storedSid(await inbound.receiveSms(mo('+15005550160')));
    expect(lookups()).toBe(1);
    expect((await webhookRows(db, before)).map((row) => row.url)).toEqual(['https://app.example.com/before']);

    const api = await startApi({ db });
    try {
      const updated = await rawRequest({
        baseUrl: api.baseUrl, method: 'POST', auth: basicAuth(account.sid, account.authToken),
        path: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers/${number.sid}.json`, form: { SmsUrl: 'https://app.example.com/after' },
      });
      expect(updated.status).toBe(200);
    } finally {
      await api.close();
    }
    const after = storedSid(await inbound.receiveSms(mo('15005550160')));
    expect(lookups()).toBe(2);
    expect((await webhookRows(db, after)).map((row) => row.url)).toEqual(['https://app.example.com/after']);
  });

  it('does not remember an unknown number: one created a moment later is routed at once', async () => {
    const inbound = createInboundBatcher({ db });
    expect(await inbound.receiveSms(mo('15005550170'))).toEqual({ outcome: 'unknown-number' });
    // Written as another instance would (no store function, so no version change here).
    await db.query(
      `INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, sms_url) VALUES ($1, $2, $3, $3, $4)`,
      [newSid('PN'), account.sid, '+15005550170', 'https://app.example.com/new'],
    );
    expect((await inbound.receiveSms(mo('15005550170'))).outcome).toBe('stored');
  });
});
