// Issue 6, "Done when" 1: the SMSC is down (silent) while 50 messages are created; they wait without being lost
// and without a retry storm; when the SMSC answers again every message is sent, and accepted exactly once.
// Issue 12, point 9: the first answer after the outage (here: to the SIP OPTIONS probe) resumes full-rate
// sending at once, instead of after the slow mode's delay, which had grown to minutes.
import { afterEach, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import {
  apiClient, countBodies, inPool, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, statusCounts, waitFor,
  waitForSlowModeGap,
} from './e2e-harness.js';

const COUNT = 50;
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('keeps 50 messages through an SMSC outage without a retry storm, then sends each exactly once', async () => {
  const testDb: TestDatabase = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 'silence' } });
  cleanup.push(() => smsc.stop());
  const service: RunningService = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);

  const bodies = Array.from({ length: COUNT }, (_, i) => `outage message ${i}`);
  const created = await inPool(bodies, 8, (Body) => api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }));
  expect(created.map((r) => r.status)).toEqual(bodies.map(() => 201));

  // The outage is established once a full in-flight window (32) has timed out (Timer F = 1.6 s) and the sends
  // claimed meanwhile have ended too: from then on the loop is in slow mode.
  await waitFor('the first rounds of timeouts', () => {
    const stats = service.messaging.dispatcher.stats();
    return stats.retried >= 32 && stats.inFlight <= 1;
  }, { timeoutMs: 15_000, intervalMs: 20 });
  const outageStart = { at: Date.now(), attempts: smsc.received().length, claimed: service.messaging.dispatcher.stats().claimed };
  const observeMs = 4_000;
  await new Promise((resolve) => setTimeout(resolve, observeMs)); // An observation window, not a correctness wait.
  const attemptsDuring = smsc.received().length - outageStart.attempts;
  const claimsDuring = service.messaging.dispatcher.stats().claimed - outageStart.claimed;
  // Slow mode sends one probe per poll delay (250 ms, doubling to SEND_RETRY_MAX_MS): at most observe/250 + the
  // sends already on the wire. A loop without backoff would resend all 32 in-flight slots every 1.6 s (≈ 80 here).
  const bound = Math.ceil((Date.now() - outageStart.at) / 250) + 2;
  expect(attemptsDuring).toBeLessThanOrEqual(bound);
  expect(claimsDuring).toBeLessThanOrEqual(bound);
  const during = await statusCounts(service.db);
  expect((during.queued ?? 0) + (during.sending ?? 0)).toBe(COUNT);

  smsc.setPolicy({ answer: 200 });
  await waitFor('every message sent', async () => {
    const counts = await statusCounts(service.db);
    return (counts.sent ?? 0) + (counts.delivered ?? 0) === COUNT;
  }, { timeoutMs: 30_000 });

  const { accepted, unanswered } = countBodies(smsc.received());
  expect([...accepted.keys()].sort()).toEqual([...bodies].sort());
  expect([...accepted.values()].every((n) => n === 1)).toBe(true);
  // Every unanswered reception was a timed-out attempt whose body was then accepted once.
  const retriedBodies = [...unanswered.keys()];
  expect(retriedBodies.every((body) => accepted.get(body) === 1)).toBe(true);
  const retriedAttempts = [...unanswered.values()].reduce((a, b) => a + b, 0);
  expect(smsc.received()).toHaveLength(COUNT + retriedAttempts);
  console.info(`outage: ${retriedAttempts} timed-out attempts over ${retriedBodies.length} bodies; ${attemptsDuring} SIP attempts and ${claimsDuring} claims in ${observeMs} ms of outage (bound ${bound})`);
});

it('resumes full-rate sending on the first answer after an outage, not after the slow-mode delay', async () => {
  const testDb: TestDatabase = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 'silence' } });
  cleanup.push(() => smsc.stop());
  // Slow-mode delays may grow to a minute (SEND_RETRY_MAX_MS); the OPTIONS probe runs every 200 ms.
  const service: RunningService = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { SEND_RETRY_MAX_MS: '60000', SMSC_PROBE_INTERVAL_MS: '200' },
  }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);
  const bodies = Array.from({ length: COUNT }, (_, i) => `resume message ${i}`);
  const created = await inPool(bodies, 8, (Body) => api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }));
  expect(created.map((r) => r.status)).toEqual(bodies.map(() => 201));

  // A probe 4 s after the previous one: the slow mode's next probe is 8 s away.
  const { lastProbeAt, gapMs } = await waitForSlowModeGap(smsc, 4_000);
  expect(service.messaging.dispatcher.stats().slowMode).toBe(true);
  smsc.setPolicy({ answer: 200 });
  const restoredAt = Date.now();
  // Capped well before the next slow-mode probe (lastProbeAt + 2 × gap): only a loop woken by the answer makes it.
  const firstAccepted = await waitFor('a MESSAGE accepted after the SMSC answers again', () => smsc.received().find(
    (m) => m.arrivedAt.getTime() >= restoredAt && m.outcome.kind === 'answered' && m.outcome.status === 200,
  ), { timeoutMs: lastProbeAt + 2 * gapMs - 2_000 - Date.now(), intervalMs: 20 });
  console.info(`slow-mode gap ${gapMs} ms; first accepted MESSAGE ${firstAccepted.arrivedAt.getTime() - restoredAt} ms after the SMSC answered again`);
  await waitFor('every message sent', async () => {
    const counts = await statusCounts(service.db);
    return (counts.sent ?? 0) + (counts.delivered ?? 0) === COUNT;
  }, { timeoutMs: 30_000 });
  expect(service.messaging.dispatcher.stats().slowMode).toBe(false);
  const { accepted } = countBodies(smsc.received());
  expect([...accepted.keys()].sort()).toEqual([...bodies].sort());
  expect([...accepted.values()].every((n) => n === 1)).toBe(true);
}, 90_000);
