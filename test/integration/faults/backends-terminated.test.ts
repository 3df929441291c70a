// Fault suite, issue 12 points 1-2: the service's PostgreSQL backends are terminated three times
// (pg_terminate_backend, as an operator, a restart or a failover would cut them) while a burst of creates runs
// through the real `smsc-connect serve` process and the in-repo SMSC simulator (which sends delivery receipts).
// Every create answered 201 must end `delivered`; a create answered 503 during the fault was not accepted (it
// may still exist: the 503 says so, and then it is delivered too). The process must live through it all.
import { afterEach, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from '../../helpers/service-process.js';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, inPool, OUR_NUMBER, startSimulator, waitFor } from '../e2e/e2e-harness.js';
import { ANSWERING_SMSC_SIP, errorLines, startServe } from '../e2e/process-harness.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const MESSAGES = 300;
const TERMINATIONS = 3;

async function terminateBackends(database: string): Promise<number> {
  return withAdminClient(async (client) => {
    const result = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return result.rowCount ?? 0;
  });
}

it('loses no accepted message and stays up while its database backends are terminated three times', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  // A receipt answered 480 (not stored: the connection was cut) is sent again; a real SMSC keeps trying for hours,
  // the simulator for 10 s here.
  const smsc = await startSimulator({
    servicePort: sipPort, policy: { answer: 200, latencyMs: 20 }, receipts: { retry: { attempts: 20, delayMs: 500 } },
  });
  cleanup.push(() => smsc.stop());
  const service: ServiceProcess = await startServe({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { ...ANSWERING_SMSC_SIP, SMSC_MAX_RATE: '150' },
  });
  cleanup.push(() => service.stop());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);

  const answers = new Map<number, number>();
  const accepted: string[] = [];
  let answered = 0;
  const bodies = Array.from({ length: MESSAGES }, (_, i) => `fault burst ${i}`);
  const creating = inPool(bodies, 12, async (Body) => {
    const response = await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }).catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
    answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
    answered += 1;
    if (response.status === 201) accepted.push(String(response.body.sid));
  });

  // Three cuts spread over the burst: creates, claims, outcome writes and receipts are all in flight.
  const terminated: number[] = [];
  for (let cut = 1; cut <= TERMINATIONS; cut += 1) {
    await waitFor(`answer ${(cut * MESSAGES) / (TERMINATIONS + 1)}`, () => answered >= (cut * MESSAGES) / (TERMINATIONS + 1), {
      timeoutMs: 60_000, intervalMs: 5,
    });
    // Right after a cut the pools may hold no connection at all for a moment: cut again once there are some.
    terminated.push(await waitFor('backends to terminate', async () => (await terminateBackends(testDb.name)) || undefined, { timeoutMs: 10_000, intervalMs: 5 }));
    await sleep(200);
  }
  await creating;
  expect(service.exitCode()).toBeNull();

  const db = await testDb.open();
  cleanup.push(() => db.close());
  const statusOf = async () => new Map((await db.query<{ sid: string; status: string }>(
    'SELECT sid, status FROM messages WHERE sid = ANY($1::text[])', [accepted],
  )).map((row) => [row.sid, row.status]));
  // A claim whose COMMIT was cut off comes back through lease recovery (Timer F + 30 s): up to about 40 s here.
  await waitFor('every accepted message delivered', async () => {
    const statuses = await statusOf();
    return accepted.every((sid) => statuses.get(sid) === 'delivered');
  }, { timeoutMs: 120_000, intervalMs: 500 }).catch(async (error: unknown) => {
    const statuses = await statusOf();
    const stuck = accepted.filter((sid) => statuses.get(sid) !== 'delivered').map((sid) => `${sid}:${statuses.get(sid) ?? 'missing'}`);
    throw new Error(`${String(error)}; not delivered: ${stuck.join(', ')}; SMSC receipts ${JSON.stringify(smsc.stats().receipts)}`);
  });

  const statuses = await statusOf();
  const lost = accepted.filter((sid) => statuses.get(sid) !== 'delivered');
  console.log(`backends terminated: ${terminated.join(', ')}; answers: ${JSON.stringify(Object.fromEntries(answers))}; ` +
    `accepted ${accepted.length}, delivered ${accepted.length - lost.length}, lost ${lost.length}; ` +
    `inserts read back after a lost connection ${service.lines().filter((l) => String(l.msg).includes('reading it back')).length}; ` +
    `error log lines ${errorLines(service).length}; SMSC receipts ${JSON.stringify(smsc.stats().receipts)}`);
  expect(terminated.every((n) => n > 0)).toBe(true);
  expect(lost).toEqual([]);
  // Only 201s and the documented 503 (20503) come back: no 500, no dropped request.
  expect([...answers.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
  expect(service.exitCode()).toBeNull();
  const health = await fetch(`${service.url}/readyz`);
  expect(health.status).toBe(200);
  // No unhandled error: the old code died here with node-postgres' "Connection terminated unexpectedly".
  expect(service.stderr()).not.toContain('Connection terminated');
}, 240_000);
