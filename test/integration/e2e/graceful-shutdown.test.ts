// Issue 6, "Done when" 6: SIGTERM in the middle of a burst towards a slow SMSC (500 ms per answer). The process
// lets the sends on the wire finish, hands every other claim back to the queue, and exits 0 within the drain
// time (10 s, serve's default); nothing is left `sending`, and a restarted instance sends the rest exactly once.
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, countBodies, OUR_NUMBER, startSimulator, waitFor } from './e2e-harness.js';
import { allSent, ANSWERING_SMSC_SIP, countInStatus, createAll, errorLines, startServe } from './process-harness.js';

const DRAIN_MS = 10_000;
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('drains on SIGTERM mid-burst, exits 0, leaves nothing sending, and the next instance sends the rest once', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 200, latencyMs: 500 } });
  cleanup.push(() => smsc.stop());
  // 8 in flight at 500 ms each: 16 messages a second, so 80 messages take five seconds to go out.
  const settings = { databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { ...ANSWERING_SMSC_SIP, SMSC_MAX_IN_FLIGHT: '8' } };
  const first = await startServe(settings);
  cleanup.push(() => first.stop());
  expect((await apiClient(first.url).createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);
  const bodies = Array.from({ length: 80 }, (_, i) => `graceful ${i}`);
  const created = await createAll({ baseUrl: first.url, bodies, concurrency: 8 });
  expect(created).toHaveLength(bodies.length);

  await smsc.waitForReceived({ count: 16, timeoutMs: 20_000 });
  // Sends on the wire at the signal: the SMSC has them and has not answered yet.
  const onWire = smsc.received().filter((m) => m.outcome.kind === 'pending').length;
  expect(onWire).toBeGreaterThan(0);
  const signalledAt = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  const tookMs = Date.now() - signalledAt;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(tookMs).toBeLessThan(DRAIN_MS);
  expect(await countInStatus(db, 'sending')).toBe(0);
  const sentBeforeRestart = (await countInStatus(db, 'sent')) + (await countInStatus(db, 'delivered'));
  // Every MESSAGE the SMSC answered before the exit was recorded: the in-flight sends finished in the drain.
  const answeredBeforeExit = smsc.received().filter((m) => m.outcome.kind === 'answered').length;
  expect(sentBeforeRestart).toBe(answeredBeforeExit);
  expect(first.lines().find((line) => line.msg === 'outbound dispatcher stopped')).toMatchObject({ abandoned: 0 });

  const second = await startServe(settings);
  cleanup.push(() => second.stop());
  await waitFor('every message sent', () => allSent(db, bodies), { timeoutMs: 30_000, intervalMs: 250 });
  const { accepted, unanswered } = countBodies(smsc.received());
  expect([...accepted.keys()].sort()).toEqual([...bodies].sort());
  expect([...accepted.values()].every((n) => n === 1)).toBe(true);
  expect(unanswered.size).toBe(0);
  console.info(`SIGTERM with ${onWire} sends on the wire: exited in ${tookMs} ms; ${sentBeforeRestart} sent before the restart, ${bodies.length - sentBeforeRestart} after`);
  expect(errorLines(first)).toEqual([]);
  expect(errorLines(second)).toEqual([]);
  expect((await second.stop()).code).toBe(0);
}, 90_000);
