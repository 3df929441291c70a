// Issue 6, "Done when" 3: the throttles hold on the wire, measured where the SMSC sees the traffic.
// - SMSC_MAX_RATE=20: sipp (answering 200) timestamps each MESSAGE; no sliding second holds more than 20 + 1.
//   The +1 is the bucket's one stored token (burst 1): a send taken at the very start of a window plus the 20
//   tokens that refill during it, and it also absorbs scheduling jitter on a busy two-core machine.
// - SMSC_MAX_IN_FLIGHT=2 against an SMSC answering after 300 ms: never more than 2 MESSAGEs outstanding.
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort, startSipp, writeScenario } from '../sip/sipp.js';
import { apiClient, inPool, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, statusCounts, waitFor } from './e2e-harness.js';
import { ANSWER_ANYTHING, maxInWindow, messageArrivals, parseSippTrace } from './sipp-trace.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function createMessages(baseUrl: string, bodies: string[]): Promise<void> {
  const api = apiClient(baseUrl);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);
  const created = await inPool(bodies, 8, (Body) => api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }));
  expect(created.map((r) => r.status)).toEqual(bodies.map(() => 201));
}

it('sends 60 messages at SMSC_MAX_RATE=20: at most 20 (+1) MESSAGEs reach sipp in any sliding second', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const traceFile = join(await mkdtemp(join(tmpdir(), 'e2e-rate-')), 'messages.log');
  const smsc = await startSipp({
    scenario: await writeScenario(ANSWER_ANYTHING), transport: 'udp', calls: 10_000, timeoutS: 60,
    extraArgs: ['-trace_msg', '-message_file', traceFile],
  });
  cleanup.push(async () => {
    smsc.kill();
    await smsc.done;
  });
  const sipPort = await freePort('udp');
  const service = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { SMSC_MAX_RATE: '20', SMSC_RECEIPTS: 'false' },
  }));
  cleanup.push(() => service.close());
  const bodies = Array.from({ length: 60 }, (_, i) => `rate ${i}`);
  await createMessages(service.url, bodies);

  await waitFor('60 messages sent', async () => (await statusCounts(service.db)).sent === 60, { timeoutMs: 20_000 });
  const arrivals = await waitFor('60 MESSAGEs in the sipp trace', async () => {
    const found = messageArrivals(parseSippTrace(await readFile(traceFile, 'utf8')));
    return found.length >= 60 ? found : undefined;
  });
  expect(arrivals.map((m) => m.body).sort()).toEqual([...bodies].sort());
  const worstSecond = maxInWindow(arrivals.map((m) => m.at), 1000);
  expect(worstSecond).toBeLessThanOrEqual(21);
  // The limit is also not a trickle: 60 messages at 20/s need about three seconds, so some second is nearly full.
  expect(worstSecond).toBeGreaterThanOrEqual(15);
  const span = arrivals.at(-1)!.at - arrivals[0]!.at;
  console.info(`rate: worst sliding second ${worstSecond} MESSAGEs; 60 arrivals over ${span.toFixed(0)} ms`);
});

it('keeps at most SMSC_MAX_IN_FLIGHT=2 MESSAGEs outstanding at an SMSC answering after 300 ms', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const latencyMs = 300;
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 200, latencyMs }, receipts: { delayMs: 60_000 } });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { SMSC_MAX_IN_FLIGHT: '2', SMSC_RECEIPTS: 'false' },
  }));
  cleanup.push(() => service.close());
  const bodies = Array.from({ length: 12 }, (_, i) => `in flight ${i}`);
  await createMessages(service.url, bodies);

  await waitFor('12 messages sent', async () => (await statusCounts(service.db)).sent === 12, { timeoutMs: 20_000 });
  const received = smsc.received();
  expect(received.map((m) => m.text).sort()).toEqual([...bodies].sort());
  // The simulator answers each MESSAGE exactly latencyMs after its arrival (a timer never fires early), so a
  // MESSAGE is outstanding during [arrivedAt, arrivedAt + 300). Counting arrivals within any 299 ms window is a
  // safe lower bound of what was outstanding at once; a third concurrent send would land in the same window.
  const arrivals = received.map((m) => m.arrivedAt.getTime());
  const worst = maxInWindow(arrivals, latencyMs - 1);
  expect(worst).toBeLessThanOrEqual(2);
  // And the window is used: two go out together.
  expect(worst).toBe(2);
});
