// Issue 12, point 2: hangs instead of errors. With `messages` locked by someone else, the old /readyz ran
// `SELECT 1` (which answers) and every create waited for the lock. Now readiness probes a write within a bound,
// and an API statement that cannot get its lock within API_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL and
// answered with Twilio's 503 (20503): nothing was written, so the client may simply try again.
import { afterEach, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, waitFor } from './e2e-harness.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A cap, not a speed assertion: the old code answered only once the lock was gone. */
const HUNG_AFTER_MS = 20_000;

it('answers a create 503 / 20503 and is unready while messages is locked, and recovers when the lock goes', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort });
  cleanup.push(() => smsc.stop());
  const env = serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { API_STATEMENT_TIMEOUT_MS: '1000' } });
  const service = await startInProcess(env);
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

  const locker = await testDb.open();
  cleanup.push(() => locker.close());
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const locking = locker.transaction(async (query) => {
    await query('LOCK TABLE messages IN SHARE MODE');
    await held;
  });
  cleanup.push(async () => {
    release();
    await locking;
  });
  await waitFor('the lock', async () => (await locker.query(
    "SELECT 1 FROM pg_locks WHERE relation = 'messages'::regclass AND mode = 'ShareLock' AND granted",
  )).length > 0);

  const readiness = await Promise.race([fetch(`${service.url}/readyz`), sleep(HUNG_AFTER_MS, 'hung' as const)]);
  expect(readiness).not.toBe('hung');
  const unready = readiness as Response;
  expect(unready.status).toBe(503);
  expect(await unready.json()).toMatchObject({ status: 'unready', database: false, sip: true });

  const create = api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body: 'behind a lock' });
  const answer = await Promise.race([create, sleep(HUNG_AFTER_MS, 'hung' as const)]);
  expect(answer).toEqual({
    status: 503,
    body: {
      code: 20503,
      message: 'Service Unavailable - the database did not answer in time; the request was not carried out. Try it again.',
      more_info: 'https://www.twilio.com/docs/errors/20503',
      status: 503,
    },
  });

  release();
  await locking;
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  const retried = await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body: 'after the lock' });
  expect(retried.status).toBe(201);
  // The 503 wrote nothing: only the retried message exists.
  const rows = await locker.query<{ body: string }>("SELECT body FROM messages WHERE direction = 'outbound-api'");
  expect(rows).toEqual([{ body: 'after the lock' }]);
});

it('answers a create 503 / 20503 and is unready while the database takes no writes (a demoted primary)', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);

  // New sessions are read-only; cutting the service's connections makes it open such sessions.
  const setReadOnly = (on: boolean) => withAdminClient(async (client) => {
    await client.query(`ALTER DATABASE "${testDb.name}" ${on ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [testDb.name]);
  });
  await setReadOnly(true);
  const readiness = await fetch(`${service.url}/readyz`);
  expect(readiness.status).toBe(503);
  expect(await readiness.json()).toMatchObject({ status: 'unready', database: false });
  expect(await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body: 'read-only' })).toEqual({
    status: 503,
    body: {
      code: 20503,
      message: 'Service Unavailable - the database takes no writes now (read-only, or out of resources); the request was not carried out. Try it again later.',
      more_info: 'https://www.twilio.com/docs/errors/20503',
      status: 503,
    },
  });

  await setReadOnly(false);
  await waitFor('ready again', async () => (await fetch(`${service.url}/readyz`)).status === 200);
  expect((await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body: 'writable' })).status).toBe(201);
});
