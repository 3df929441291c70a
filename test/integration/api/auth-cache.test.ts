// The credential cache in front of authentication, on real PostgreSQL: what it remembers (successes only), for how
// long (the TTL), and that the account rule is applied on every request, cached or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import { createAccount, type Account } from '../../../src/store/account-store.js';
import { createApiKey } from '../../../src/store/api-key-store.js';
import { createAuthenticator } from '../../../src/api/auth.js';
import { basicAuth, rawRequest, startApi } from './api-harness.js';

const TTL_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function errorKey(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { key: string }).key;
  }
  throw new Error('expected a rejection');
}

describe('credential cache (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let parent: Account;
  let child: Account;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    parent = await createAccount(db, { friendlyName: 'Parent' });
    child = await createAccount(db, { friendlyName: 'Child', ownerAccountSid: parent.sid });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('keeps accepting a key deleted elsewhere until the TTL ends, and at once after forget()', async () => {
    const auth = createAuthenticator({ db, ttlMs: TTL_MS });
    const { key, secret } = await createApiKey(db, { accountSid: parent.sid, friendlyName: 'k' });
    const authorization = basicAuth(key.sid, secret);
    expect((await auth.authenticate({ authorization })).keySid).toBe(key.sid);
    await db.query('DELETE FROM api_keys WHERE sid = $1', [key.sid]); // as another instance would
    expect((await auth.authenticate({ authorization })).keySid).toBe(key.sid);
    await sleep(TTL_MS + 200);
    expect(await errorKey(auth.authenticate({ authorization }))).toBe('credentialsInvalid');

    const other = await createApiKey(db, { accountSid: parent.sid, friendlyName: 'k2' });
    const otherAuth = basicAuth(other.key.sid, other.secret);
    expect((await auth.authenticate({ authorization: otherAuth })).keySid).toBe(other.key.sid);
    await db.query('DELETE FROM api_keys WHERE sid = $1', [other.key.sid]);
    auth.forget();
    expect(await errorKey(auth.authenticate({ authorization: otherAuth }))).toBe('credentialsInvalid');
  });

  it('never lets a wrong secret ride on a cached success, and never caches a failure', async () => {
    const auth = createAuthenticator({ db, ttlMs: 60_000 });
    expect((await auth.authenticate({ authorization: basicAuth(parent.sid, parent.authToken) })).accountSid).toBe(parent.sid);
    expect(await errorKey(auth.authenticate({ authorization: basicAuth(parent.sid, `${parent.authToken}x`) }))).toBe('credentialsInvalid');
    expect(await errorKey(auth.authenticate({ authorization: undefined }))).toBe('credentialsMissing');
    const late = await createAccount(db, { friendlyName: 'Late' });
    const lateAuth = basicAuth(late.sid, late.authToken);
    await db.query('UPDATE accounts SET status = $1 WHERE sid = $2', ['suspended', late.sid]);
    expect(await errorKey(auth.authenticate({ authorization: lateAuth }))).toBe('credentialsInvalid');
    await db.query('UPDATE accounts SET status = $1 WHERE sid = $2', ['active', late.sid]);
    expect((await auth.authenticate({ authorization: lateAuth })).accountSid).toBe(late.sid);
  });

  it('applies the parent/subaccount rule on every request, with the path account cached', async () => {
    const auth = createAuthenticator({ db, ttlMs: 60_000 });
    const asParent = await auth.authenticate({ authorization: basicAuth(parent.sid, parent.authToken) });
    const asChild = await auth.authenticate({ authorization: basicAuth(child.sid, child.authToken) });
    expect((await auth.authorizeAccount({ principal: asParent, accountSid: child.sid })).sid).toBe(child.sid);
    expect((await auth.authorizeAccount({ principal: asParent, accountSid: child.sid })).sid).toBe(child.sid);
    expect((await auth.authorizeAccount({ principal: asChild, accountSid: child.sid })).sid).toBe(child.sid);
    // The child's row is cached now (and the parent's, once the parent asked for itself): still no way up.
    expect((await auth.authorizeAccount({ principal: asParent, accountSid: parent.sid })).sid).toBe(parent.sid);
    expect(await errorKey(auth.authorizeAccount({ principal: asChild, accountSid: parent.sid }))).toBe('accountForbidden');
    expect(await errorKey(auth.authorizeAccount({ principal: asChild, accountSid: parent.sid }))).toBe('accountForbidden');
    expect(await errorKey(auth.authorizeAccount({ principal: asParent, accountSid: 'AC'.padEnd(34, '0') }))).toBe('accountForbidden');
  });

  it('through HTTP, a number or key deleted through the API stops working at once although it was cached', async () => {
    const api = await startApi({ db });
    try {
      const owner = basicAuth(parent.sid, parent.authToken);
      const post = (auth: string, path: string, form: Record<string, string> = {}) =>
        rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${parent.sid}/${path}`, method: 'POST', auth, form });
      const number = await post(owner, 'IncomingPhoneNumbers.json', { PhoneNumber: '+15005550123' });
      const numberSid = (number.json as { sid: string }).sid;
      const key = (await post(owner, 'Keys.json', { FriendlyName: 'k' })).json as { sid: string; secret: string };
      const viaKey = basicAuth(key.sid, key.secret);
      const send = (auth: string) => post(auth, 'Messages.json', { To: '+15551234567', From: '+15005550123', Body: 'x' });
      expect([(await send(viaKey)).status, (await send(viaKey)).status]).toEqual([201, 201]);
      const removed = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${parent.sid}/IncomingPhoneNumbers/${numberSid}.json`, method: 'DELETE', auth: owner });
      expect(removed.status).toBe(204);
      expect((await send(viaKey)).json).toMatchObject({ code: 21606, status: 400 });
      const revoked = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${parent.sid}/Keys/${key.sid}.json`, method: 'DELETE', auth: owner });
      expect(revoked.status).toBe(204);
      expect((await send(viaKey)).json).toMatchObject({ code: 20003, status: 401 });
    } finally {
      await api.close();
    }
  });
});
