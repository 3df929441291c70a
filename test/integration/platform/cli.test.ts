// The `smsc-connect` command end to end: serve on PGlite and PostgreSQL, account seeding, configuration errors,
// `accounts create`, `migrate`, and a clean exit on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { defaultMigrationsDir, readMigrations } from '../../../src/store/migrations.js';
import { databaseUrl, withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { holdDefaultPorts, runCli, startServe } from './cli-process.js';

// Every migration folder, in order: what a fresh database gets.
const ALL = readMigrations(defaultMigrationsDir()).map((m) => m.name);
if (ALL.length === 0) throw new Error('no migrations found');
const SID = 'AC00112233445566778899aabbccddeeff';
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smsc-connect-cli-'));
  tempDirs.push(dir);
  return dir;
}

// As when the demo runs next to `npm test`: every serve below must pick its own ports.
let releaseDefaultPorts: () => Promise<void>;
beforeAll(async () => {
  releaseDefaultPorts = await holdDefaultPorts();
});

afterAll(async () => {
  await releaseDefaultPorts();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function basic(sid: string, token: string): string {
  return `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
}

async function pgliteAccounts(dataDir: string): Promise<Array<{ sid: string; auth_token: string }>> {
  const db = await openDatabase({ dataDir });
  try {
    return await db.query('SELECT sid, auth_token FROM accounts ORDER BY sid');
  } finally {
    await db.close();
  }
}

describe('serve on the embedded database', () => {
  it('creates one account on the first start, logs it once, answers HTTP, and exits 0 on SIGTERM', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await startServe({ env: { DATA_DIR: dataDir } });
    const created = first.lines().filter((line) => String(line.msg).startsWith('No account was configured'));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ level: 40, component: 'accounts' });
    const [, sid, token] = /Account SID: (AC[0-9a-f]{32}) {2}Auth token: ([0-9a-f]{32}) /.exec(String(created[0]!.msg)) ?? [];
    expect(created[0]!.accountSid).toBe(sid);

    // Each stage of the first start is logged as it happens, in order, ending with the URLs to open.
    const stages = first.lines().map((line) => String(line.msg));
    const order = [
      'creating the embedded database (first start: a few seconds)', 'database open', 'migrations up to date',
      created[0]!.msg, 'starting SIP, SMPP and the message pipeline', 'SIP adapter listening', 'smsc-connect is listening',
    ].map((msg) => stages.indexOf(String(msg)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).not.toContain(-1);
    const listening = first.lines().find((line) => line.msg === 'smsc-connect is listening')!;
    expect(listening).toMatchObject({
      url: first.url, api: `${first.url}/2010-04-01`, docs: `${first.url}/docs`, console: `${first.url}/`, database: 'pglite',
    });

    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const account = await fetch(`${first.url}/2010-04-01/Accounts/${sid}.json`, { headers: { authorization: basic(sid!, token!) } });
    expect(account.status).toBe(200);
    expect(await account.json()).toMatchObject({ sid, status: 'active' });

    const exit = await first.stop('SIGTERM');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(first.lines().map((line) => line.msg)).toContain('stopped');

    const second = await startServe({ env: { DATA_DIR: dataDir } });
    expect(second.lines().filter((line) => String(line.msg).startsWith('No account was configured'))).toEqual([]);
    expect(second.lines().map((line) => line.msg)).toEqual(expect.arrayContaining(['opening the database', 'an account exists: none created']));
    expect((await second.stop('SIGINT')).code).toBe(0);
    expect(await pgliteAccounts(dataDir)).toEqual([{ sid, auth_token: token }]);
  }, 180_000);
});

describe('serve on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('makes ACCOUNT_SID exist with AUTH_TOKEN and creates no other account', async () => {
    const db = await database.open();
    try {
      // An existing account with an old token: the configured token replaces it.
      await db.query("INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, 'Old', 'old-token-0123456789')", [SID]);
      const serve = await startServe({ env: { DATABASE_URL: database.url, ACCOUNT_SID: SID, AUTH_TOKEN: TOKEN } });
      expect(serve.lines().some((line) => String(line.msg).startsWith('No account was configured'))).toBe(false);
      const ok = await fetch(`${serve.url}/2010-04-01/Accounts/${SID}.json`, { headers: { authorization: basic(SID, TOKEN) } });
      expect(ok.status).toBe(200);
      expect((await serve.stop()).code).toBe(0);
      expect(await db.query('SELECT sid, auth_token FROM accounts')).toEqual([{ sid: SID, auth_token: TOKEN }]);
    } finally {
      await db.close();
    }
  });
});

describe('invalid configuration', () => {
  it('exits 2 and lists every problem on stderr', async () => {
    const result = await runCli({
      args: ['serve'],
      env: { PORT: 'abc', ACCOUNT_SID: SID, SIP_STACK: 'drachtio', SMSC_URI: 'sip:smsc.example.net' },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'smsc-connect: Invalid configuration (4 problems):\n' +
        '  - PORT: must be an integer from 0 to 65535 (got "abc")\n' +
        '  - ACCOUNT_SID is set but AUTH_TOKEN is not: set both or neither\n' +
        '  - SIP_ALLOWED_SOURCES must be set: SMSC_URI names the host "smsc.example.net", not an IP address\n' +
        '  - SIP_STACK=drachtio requires DRACHTIO_URL\n',
    );
  });
});

describe('accounts create and migrate', () => {
  const emptyDatabases: string[] = [];
  afterEach(async () => {
    for (const name of emptyDatabases.splice(0)) {
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  async function emptyDatabase(): Promise<string> {
    const name = `smsc_connect_cli_${Math.random().toString(16).slice(2, 10)}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
    emptyDatabases.push(name);
    return databaseUrl(name);
  }

  it('accounts create migrates a fresh database and prints the new credentials as JSON', async () => {
    const url = await emptyDatabase();
    const result = await runCli({ args: ['accounts', 'create', '--friendly-name', 'Shop'], env: { DATABASE_URL: url } });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { sid: string; auth_token: string; friendly_name: string };
    expect(printed).toEqual({ sid: expect.stringMatching(/^AC[0-9a-f]{32}$/), auth_token: expect.stringMatching(/^[0-9a-f]{32}$/), friendly_name: 'Shop' });
    expect(result.stdout).toBe(`${JSON.stringify(printed)}\n`);
    const db = await openDatabase({ databaseUrl: url, dataDir: '' });
    try {
      expect(await db.query('SELECT sid, auth_token, friendly_name FROM accounts')).toEqual([printed]);
    } finally {
      await db.close();
    }
  });

  it('migrate applies the migrations once on PostgreSQL', async () => {
    const url = await emptyDatabase();
    const first = await runCli({ args: ['migrate'], env: { DATABASE_URL: url } });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ applied: ALL, alreadyApplied: [] });
    const again = await runCli({ args: ['migrate'], env: { DATABASE_URL: url } });
    expect(JSON.parse(again.stdout)).toEqual({ applied: [], alreadyApplied: ALL });
  });

  it('migrate applies the migrations once on PGlite', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await runCli({ args: ['migrate'], env: { DATA_DIR: dataDir } });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ applied: ALL, alreadyApplied: [] });
    const again = await runCli({ args: ['migrate'], env: { DATA_DIR: dataDir } });
    expect(JSON.parse(again.stdout)).toEqual({ applied: [], alreadyApplied: ALL });
  }, 120_000);
});
