// Auth tokens at rest (issue 12, point 12): a database whose accounts hold plain tokens is started with
// AUTH_TOKEN_ENCRYPTION_KEY, after which no token is left in plain text, Basic auth with the token still works,
// webhooks are still signed with it (checked by twilio.validateRequest), and API key secrets stay hashed. Without
// the key the service runs and warns once; with a key the rows were not sealed by, it refuses to start.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { openMigratedDatabase, start } from '../../../src/main.js';
import { createAccount, findAccount } from '../../../src/store/account-store.js';
import { createApiKey, hashApiKeySecret } from '../../../src/store/api-key-store.js';
import { authTokenKeyId, createAuthTokenCipher } from '../../../src/store/auth-token-cipher.js';
import { prepareAuthTokens, sealAuthTokens } from '../../../src/store/auth-token-encryption.js';
import type { Database } from '../../../src/store/database.js';
import { accountsCreateCommand } from '../../../src/cli/accounts-create-command.js';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { basicAuth, rawRequest, startApi } from '../api/api-harness.js';
import { insertInbound, OUR_NUMBER, settled, startSignedReceiver, testWorker, waitFor } from '../webhook-delivery/fixtures.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const KEY_HEX = Buffer.alloc(32, 7).toString('hex');
const NEW_KEY_HEX = Buffer.alloc(32, 9).toString('hex');

interface LogLine { level: number; msg: string; component?: string }

function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let tdb: TestDatabase;
let raw: Database;
const opened: Database[] = [];

async function openWith(env: Record<string, string>, logger = pino({ level: 'silent' })): Promise<Database> {
  const db = await openMigratedDatabase({ config: loadConfig({ DATABASE_URL: tdb.url, ...env }), logger });
  opened.push(db);
  return db;
}

async function storedTokens(): Promise<Array<{ sid: string; auth_token: string }>> {
  return raw.query('SELECT sid, auth_token FROM accounts ORDER BY sid');
}

beforeEach(async () => {
  tdb = await createTestDatabase();
  raw = await tdb.open();
});

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  await raw.close();
  await tdb.drop();
});

describe('auth tokens at rest', () => {
  it('encrypts plain tokens at start; Basic auth and webhook signatures still work; API key secrets stay hashed', async () => {
    // Written before this change: the store without a key writes plain text.
    const main = await createAccount(raw, { friendlyName: 'main' });
    const sub = await createAccount(raw, { friendlyName: 'sub', ownerAccountSid: main.sid });
    const { key, secret } = await createApiKey(raw, { accountSid: main.sid, friendlyName: 'k' });
    expect((await storedTokens()).map((r) => r.auth_token).sort()).toEqual([main.authToken, sub.authToken].sort());

    const db = await openWith({ AUTH_TOKEN_ENCRYPTION_KEY: KEY });

    const rows = await storedTokens();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.auth_token).toMatch(new RegExp(`^enc:v1:${authTokenKeyId(KEY_HEX)}:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$`));
      expect(row.auth_token).not.toContain(main.authToken);
      expect(row.auth_token).not.toContain(sub.authToken);
    }
    const [keyRow] = await raw.query<{ secret_hash: string }>('SELECT secret_hash FROM api_keys WHERE sid = $1', [key.sid]);
    expect(keyRow?.secret_hash).toBe(hashApiKeySecret(secret));
    const dump = JSON.stringify(await raw.query('SELECT * FROM api_keys'));
    expect(dump).not.toContain(secret);

    const api = await startApi({ db });
    try {
      const own = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${main.sid}.json`, auth: basicAuth(main.sid, main.authToken) });
      expect(own.status).toBe(200);
      expect((own.json as { auth_token: string }).auth_token).toBe(main.authToken);
      const list = await rawRequest({ baseUrl: api.baseUrl, path: '/2010-04-01/Accounts.json', auth: basicAuth(main.sid, main.authToken) });
      expect((list.json as { accounts: Array<{ sid: string; auth_token: string }> }).accounts.map((a) => [a.sid, a.auth_token]).sort())
        .toEqual([[main.sid, main.authToken], [sub.sid, sub.authToken]].sort());
      const wrong = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${main.sid}.json`, auth: basicAuth(main.sid, rows[0]!.auth_token) });
      expect(wrong.status).toBe(401);
      const viaKey = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${main.sid}/Messages.json`, auth: basicAuth(key.sid, secret) });
      expect(viaKey.status).toBe(200);
      // A subaccount created now is stored sealed too.
      const created = await rawRequest({
        baseUrl: api.baseUrl, path: '/2010-04-01/Accounts.json', method: 'POST', auth: basicAuth(main.sid, main.authToken), form: { FriendlyName: 'new' },
      });
      const fresh = created.json as { sid: string; auth_token: string };
      const [freshRow] = await raw.query<{ auth_token: string }>('SELECT auth_token FROM accounts WHERE sid = $1', [fresh.sid]);
      expect(freshRow?.auth_token.startsWith('enc:v1:')).toBe(true);
      expect(freshRow?.auth_token).not.toContain(fresh.auth_token);
      const asFresh = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${fresh.sid}.json`, auth: basicAuth(fresh.sid, fresh.auth_token) });
      expect(asFresh.status).toBe(200);
    } finally {
      await api.close();
    }

    await raw.query('INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name) VALUES ($1, $2, $3, $3)', [
      `PN${'5'.repeat(32)}`, main.sid, OUR_NUMBER,
    ]);
    const receiver = await startSignedReceiver(() => main.authToken);
    const worker = testWorker({ db });
    try {
      const inbound = await insertInbound(db, { accountSid: main.sid, url: `${receiver.baseUrl}/sms` });
      worker.start();
      await waitFor('webhook delivered', () => settled(db, inbound.deliveryId));
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.rejected).toEqual([]);
    } finally {
      await worker.stop({ drainMs: 0 });
      await receiver.close();
    }
  });

  it('is idempotent, and two instances starting together seal each token once', async () => {
    const accounts = await Promise.all(Array.from({ length: 20 }, (_, i) => createAccount(raw, { friendlyName: `a${i}` })));
    const cipher = createAuthTokenCipher({ key: KEY_HEX });
    const [a, b] = await Promise.all([tdb.open(), tdb.open()]);
    opened.push(a!, b!);
    const results = await Promise.all([sealAuthTokens({ ...a!, authTokens: cipher }), sealAuthTokens({ ...b!, authTokens: cipher })]);
    expect(results.map((r) => r.sealed).sort((x, y) => x - y)).toEqual([0, 20]);
    const before = await storedTokens();
    expect(await sealAuthTokens({ ...a!, authTokens: cipher })).toEqual({ sealed: 0, plain: 0 });
    expect(await storedTokens()).toEqual(before);
    const bySid = new Map(accounts.map((acc) => [acc.sid, acc.authToken]));
    for (const row of before) expect(cipher.open(row.sid, row.auth_token)).toBe(bySid.get(row.sid));
  });

  it('without the key runs on plain text and warns once at start', async () => {
    const { logger, lines } = capturingLogger();
    const service = await start({
      config: loadConfig({
        DATABASE_URL: tdb.url, PORT: '0', SIP_LISTEN: 'udp:127.0.0.1:0', SMSC_URI: 'sip:127.0.0.1:9;transport=udp',
        ACCOUNT_SID: `AC${'a'.repeat(32)}`, AUTH_TOKEN: 'plain-main-token-0123456789',
      }),
      logger,
      drainMs: 0,
    });
    try {
      const warnings = lines.filter((l) => l.level === 40 && l.component === 'auth-tokens');
      expect(warnings.map((l) => l.msg)).toEqual(['auth tokens are stored in plain text: set AUTH_TOKEN_ENCRYPTION_KEY to encrypt them at rest']);
      expect(await storedTokens()).toEqual([{ sid: `AC${'a'.repeat(32)}`, auth_token: 'plain-main-token-0123456789' }]);
      const own = await rawRequest({ baseUrl: service.url, path: `/2010-04-01/Accounts/AC${'a'.repeat(32)}.json`, auth: basicAuth(`AC${'a'.repeat(32)}`, 'plain-main-token-0123456789') });
      expect(own.status).toBe(200);
    } finally {
      await service.close();
    }
  });

  it('with the key, seeds and creates accounts sealed (serve and `accounts create`)', async () => {
    const sid = `AC${'b'.repeat(32)}`;
    const service = await start({
      config: loadConfig({
        DATABASE_URL: tdb.url, PORT: '0', SIP_LISTEN: 'udp:127.0.0.1:0', SMSC_URI: 'sip:127.0.0.1:9;transport=udp',
        ACCOUNT_SID: sid, AUTH_TOKEN: 'seeded-main-token-0123456789', AUTH_TOKEN_ENCRYPTION_KEY: KEY_HEX,
      }),
      logger: pino({ level: 'silent' }),
      drainMs: 0,
    });
    try {
      const [row] = await storedTokens();
      expect(row?.auth_token.startsWith(`enc:v1:${authTokenKeyId(KEY_HEX)}:`)).toBe(true);
      const own = await rawRequest({ baseUrl: service.url, path: `/2010-04-01/Accounts/${sid}.json`, auth: basicAuth(sid, 'seeded-main-token-0123456789') });
      expect(own.status).toBe(200);
    } finally {
      await service.close();
    }
    const out: string[] = [];
    const stdout = new Writable({ write(chunk: Buffer, _e, done) { out.push(chunk.toString()); done(); } });
    const code = await accountsCreateCommand({
      options: { 'friendly-name': 'cli' }, positionals: [], stdout, stderr: new Writable({ write: (_c, _e, done) => done() }),
      env: { DATABASE_URL: tdb.url, AUTH_TOKEN_ENCRYPTION_KEY: KEY_HEX, LOG_LEVEL: 'silent' },
    });
    expect(code).toBe(0);
    const printed = JSON.parse(out.join('')) as { sid: string; auth_token: string };
    const [cliRow] = await raw.query<{ auth_token: string }>('SELECT auth_token FROM accounts WHERE sid = $1', [printed.sid]);
    expect(cliRow?.auth_token.startsWith('enc:v1:')).toBe(true);
    expect(createAuthTokenCipher({ key: KEY_HEX }).open(printed.sid, cliRow!.auth_token)).toBe(printed.auth_token);
  });

  it('refuses to start with another key, or with no key, once tokens are sealed', async () => {
    const account = await createAccount(raw, { friendlyName: 'x' });
    await openWith({ AUTH_TOKEN_ENCRYPTION_KEY: KEY_HEX });
    const sealed = await storedTokens();
    await expect(openWith({ AUTH_TOKEN_ENCRYPTION_KEY: NEW_KEY_HEX })).rejects.toThrow(
      `1 of 1 stored auth tokens cannot be read: the auth token of ${account.sid} is encrypted with key id ${authTokenKeyId(KEY_HEX)}, ` +
        `not with AUTH_TOKEN_ENCRYPTION_KEY (key id ${authTokenKeyId(NEW_KEY_HEX)})`,
    );
    await expect(openWith({})).rejects.toThrow(
      `the auth token of ${account.sid} is encrypted (key id ${authTokenKeyId(KEY_HEX)}) but AUTH_TOKEN_ENCRYPTION_KEY is not set`,
    );
    expect(await storedTokens()).toEqual(sealed);
  });

  it('rotates: with the previous key configured, tokens are re-sealed with the new one', async () => {
    const account = await createAccount(raw, { friendlyName: 'x' });
    await openWith({ AUTH_TOKEN_ENCRYPTION_KEY: KEY_HEX });
    const db = await openWith({ AUTH_TOKEN_ENCRYPTION_KEY: NEW_KEY_HEX, AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS: KEY_HEX });
    const [row] = await storedTokens();
    expect(row?.auth_token.startsWith(`enc:v1:${authTokenKeyId(NEW_KEY_HEX)}:`)).toBe(true);
    expect(createAuthTokenCipher({ key: NEW_KEY_HEX }).open(account.sid, row!.auth_token)).toBe(account.authToken);
    expect(db.authTokens?.keyId).toBe(authTokenKeyId(NEW_KEY_HEX));
    await openWith({ AUTH_TOKEN_ENCRYPTION_KEY: NEW_KEY_HEX });
  });

  it('works the same on PGlite (no advisory lock there: one process per data folder)', async () => {
    const lite = await createPgliteDatabase();
    try {
      const account = await createAccount(lite, { friendlyName: 'lite' });
      const db = await prepareAuthTokens({ db: lite, keys: { key: KEY_HEX }, logger: pino({ level: 'silent' }) });
      const [row] = await lite.query<{ auth_token: string }>('SELECT auth_token FROM accounts');
      expect(row?.auth_token.startsWith(`enc:v1:${authTokenKeyId(KEY_HEX)}:`)).toBe(true);
      expect((await findAccount(db, account.sid))?.authToken).toBe(account.authToken);
    } finally {
      await lite.close();
    }
  });

  it('the database refuses a malformed sealed value', async () => {
    await expect(raw.query("INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, 'x', 'enc:v1:garbage')", [`AC${'c'.repeat(32)}`]))
      .rejects.toThrow(/accounts_auth_token_format_check/);
  });
});
