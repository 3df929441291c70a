// Fault suite: the SMSC goes silent (no answer at all, OPTIONS included) in the middle of a burst, for the ten
// or so seconds it takes the dispatcher's slow mode to space its probes 4 s apart, then answers again. Nothing is
// lost: every message the API accepted is delivered (its receipt came back), none failed, and the SMSC stored
// each one once. Sending resumes on the first answer (the OPTIONS probe), before the slow mode's next probe.
// Builds on test/integration/e2e/outage-recovery.test.ts, which covers a silent SMSC from the start.
import { afterEach, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  apiClient, countBodies, inPool, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, statusCounts, waitFor,
  waitForSlowModeGap,
} from '../e2e/e2e-harness.js';
import { freePort } from '../sip/sipp.js';

const COUNT = 240;
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('loses nothing when the SMSC falls silent mid-burst, and resumes sending as soon as it answers', async () => {
  const testDb: TestDatabase = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 200 }, receipts: { delayMs: 50, outcome: 'delivered' } });
  cleanup.push(() => smsc.stop());
  // 30 messages a second, so the burst lasts about 8 s and the silence falls in its middle; slow-mode delays may
  // grow to a minute; the OPTIONS probe runs every 200 ms.
  const service: RunningService = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port,
    extra: { SMSC_MAX_RATE: '30', SEND_RETRY_MAX_MS: '60000', SMSC_PROBE_INTERVAL_MS: '200' },
  }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);

  const bodies = Array.from({ length: COUNT }, (_, i) => `burst message ${i}`);
  const created = await inPool(bodies, 8, (Body) => api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }));
  const accepted = created.filter((r) => r.status === 201).length;
  expect(accepted).toBe(COUNT);
  const storedBySmsc = () => smsc.received().filter((m) => m.outcome.kind === 'answered' && m.outcome.status === 200).length;
  await waitFor('a third of the burst stored by the SMSC', () => storedBySmsc() >= COUNT / 3, { timeoutMs: 30_000, intervalMs: 20 });
  smsc.setPolicy({ answer: 'silence' });
  const silentAt = Date.now();
  const storedBeforeSilence = storedBySmsc();
  expect(storedBeforeSilence).toBeLessThan(COUNT);

  const { lastProbeAt, gapMs } = await waitForSlowModeGap(smsc, 4_000);
  const during = await statusCounts(service.db);
  smsc.setPolicy({ answer: 200 });
  const answeringAt = Date.now();
  // Capped well before the slow mode's next probe (lastProbeAt + 2 × gap): only a loop woken by the answer makes it.
  await waitFor('a MESSAGE stored after the SMSC answers again', () => smsc.received().some(
    (m) => m.arrivedAt.getTime() >= answeringAt && m.outcome.kind === 'answered' && m.outcome.status === 200,
  ), { timeoutMs: lastProbeAt + 2 * gapMs - 2_000 - Date.now(), intervalMs: 20 });
  const resumedAfterMs = Date.now() - answeringAt;

  await waitFor('every accepted message delivered or settled', async () => {
    const counts = await statusCounts(service.db);
    return (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.sent ?? 0) === 0;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  const settled = await statusCounts(service.db);
  const delivered = settled.delivered ?? 0;
  const { accepted: storedOnce, unanswered } = countBodies(smsc.received());
  console.info(
    `smsc-silent: ${accepted} accepted, ${delivered} delivered, ${accepted - delivered} lost; silent ${answeringAt - silentAt} ms ` +
      `(${storedBeforeSilence} stored before; during: ${JSON.stringify(during)}); ${[...unanswered.values()].reduce((a, b) => a + b, 0)} ` +
      `unanswered attempts; sending resumed ${resumedAfterMs} ms after the SMSC answered (slow-mode gap ${gapMs} ms)`,
  );
  expect(settled).toEqual({ delivered: COUNT });
  expect(accepted - delivered).toBe(0);
  expect([...storedOnce.keys()].sort()).toEqual([...bodies].sort());
  expect([...storedOnce.values()].every((n) => n === 1)).toBe(true);
}, 120_000);
