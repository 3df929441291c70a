// Fault suite, issue 12 point 5: a SIP-over-TCP flood from a source outside SIP_ALLOWED_SOURCES against the real
// service process. 300 connections from 127.0.0.1 each announce `Content-Length: 1000000` and try to send a
// ~990 KB body; only 127.0.0.2 (the SMSC simulator) is allowed. The service must close every flooding connection
// promptly, keep its memory bounded (VmRSS sampled from /proc during the flood), and meanwhile serve the SMSC:
// every message created through the API is delivered (receipt over TCP), every MO reaches the webhook, 0 lost.
// Before the fix the 300 connections were all buffered (RSS +290 MB) and none was closed within 60 s.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createSmscSimulator } from '../../../src/simulator/index.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { startServiceProcess } from '../../helpers/service-process.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ANSWERING_SMSC_SIP, createAll, errorLines, statusByBody } from '../e2e/process-harness.js';
import { apiClient, OUR_NUMBER, serviceEnv, silentLogger } from '../e2e/e2e-harness.js';
import { startWebhookRecorder } from '../e2e/webhook-recorder.js';
import { freePort } from '../sip/sipp.js';

const SMSC_HOST = '127.0.0.2';
const FLOOD_CONNECTIONS = 300;
const ANNOUNCED = 1_000_000;
const BODY_BYTES = 990 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const RSS_BOUND_KB = 60 * 1024;
/** How long a flooding connection waits to be closed by the server before closing itself. */
const HOLD_MS = 20_000;

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function vmRssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/**
 * One flooding connection: headers announcing a huge body, then the body in 64 KB writes until it is all out or
 * the connection fails. Then it waits for the server to close it (FIN or reset); after `HOLD_MS` it gives up and
 * closes itself, so the flood always ends by itself. `closedByServer` says which happened.
 */
function flood(port: number, index: number): Promise<{ closedByServer: boolean; bytesRead: number }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    let sent = 0;
    let bytesRead = 0;
    let closedByServer = false;
    socket.on('data', (chunk: Buffer) => (bytesRead += chunk.length));
    socket.on('end', () => {
      closedByServer = true;
      socket.destroy();
    });
    socket.on('error', () => (closedByServer = true)); // EPIPE / ECONNRESET: the server closed us, which is the point
    const hold = setTimeout(() => socket.destroy(), HOLD_MS);
    socket.on('close', () => {
      clearTimeout(hold);
      resolve({ closedByServer, bytesRead });
    });
    const head = Buffer.from(
      [
        'MESSAGE sip:15005550006@127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/TCP 127.0.0.1:${40000 + index};branch=z9hG4bK-flood-${index}`,
        'From: <sip:447700900999@127.0.0.1>;tag=flood',
        'To: <sip:15005550006@127.0.0.1>',
        `Call-ID: flood-${index}@127.0.0.1`,
        'CSeq: 2 MESSAGE',
        'Content-Type: text/plain',
        `Content-Length: ${ANNOUNCED}`,
        '',
        '',
      ].join('\r\n'),
    );
    const writeMore = (error?: Error | null): void => {
      if (error || socket.destroyed || sent >= BODY_BYTES) return;
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, BODY_BYTES - sent));
      sent += chunk.length;
      socket.write(chunk, writeMore);
    };
    socket.once('connect', () => socket.write(head, writeMore));
  });
}

it('closes 300 flooding TCP connections from a non-allowed source at once, keeps RSS bounded and loses nothing of the SMSC traffic', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const app = await startWebhookRecorder();
  cleanup.push(() => app.stop());

  const sipPort = await freePort('tcp');
  const smsc = createSmscSimulator({
    sipListen: [{ transport: 'tcp', host: SMSC_HOST, port: 0 }],
    serviceUri: `sip:127.0.0.1:${sipPort};transport=tcp`,
    policy: { answer: 200 },
    receipts: { delayMs: 50, outcome: 'delivered', retry: { attempts: 5, delayMs: 300 } },
    sipTimers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 },
    logger: silentLogger,
  });
  await smsc.start();
  cleanup.push(() => smsc.stop());
  const smscPort = smsc.boundAddresses()[0]!.port;

  const service = await startServiceProcess({
    env: serviceEnv({
      databaseUrl: testDb.url,
      sipPort,
      smscPort,
      extra: {
        ...ANSWERING_SMSC_SIP,
        SIP_LISTEN: `tcp:127.0.0.1:${sipPort}`,
        SMSC_URI: `sip:${SMSC_HOST}:${smscPort};transport=tcp`,
        SIP_ALLOWED_SOURCES: `${SMSC_HOST}/32`,
      },
    }),
  });
  cleanup.push(() => service.stop());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${app.url}/sms` })).status).toBe(201);
  // Warm up the path (connections, prepared statements) so the RSS baseline is the running service's.
  expect(await createAll({ baseUrl: service.url, bodies: ['warm-up'], concurrency: 1 })).toEqual(['warm-up']);
  await waitFor('the warm-up delivered', async () => (await statusByBody(db)).get('warm-up') === 'delivered', { timeoutMs: 20_000, intervalMs: 100 });

  const rssBefore = vmRssKb(service.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, vmRssKb(service.pid))), 50);
  cleanup.push(async () => clearInterval(sampler));

  const flooding = Promise.all(Array.from({ length: FLOOD_CONNECTIONS }, (_, i) => flood(sipPort, i)));
  // Legitimate traffic while the flood is on: MT through the API (sent to the SMSC, receipts back over TCP) and MO.
  const bodies = Array.from({ length: 20 }, (_, i) => `during flood ${i}`);
  const [accepted, moResponses, floodResults] = await Promise.all([
    createAll({ baseUrl: service.url, bodies, concurrency: 4 }),
    Promise.all(Array.from({ length: 5 }, (_, i) => smsc.sendMo({ from: '447700900123', to: OUR_NUMBER.slice(1), text: `mo during flood ${i}` }))),
    flooding,
  ]);

  expect(accepted.sort()).toEqual([...bodies].sort());
  const statuses = await waitFor('every accepted message delivered', async () => {
    const byBody = await statusByBody(db);
    return accepted.every((body) => byBody.get(body) === 'delivered') ? byBody : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  const delivered = accepted.filter((body) => statuses.get(body) === 'delivered');
  expect(moResponses.map((parts) => parts.map((r) => r.status))).toEqual(Array.from({ length: 5 }, () => [200]));
  const moBodies = await waitFor('every MO at the webhook', () => {
    const seen = app.requests().filter((r) => r.path === '/sms').map((r) => r.params.Body ?? '');
    return seen.length >= 5 ? seen : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100 });
  clearInterval(sampler);
  const rssAfter = vmRssKb(service.pid);

  const refusalLines = service.lines().filter((line) => String(line.msg).includes('outside SIP_ALLOWED_SOURCES closed on accept'));
  console.info(
    `tcp-flood: ${floodResults.filter((r) => r.closedByServer).length} of ${FLOOD_CONNECTIONS} connections closed by the server; MT accepted ${accepted.length}, delivered ${delivered.length}; ` +
      `MO sent 5, at webhook ${moBodies.length}; VmRSS ${rssBefore} kB before, peak ${rssPeak} kB, after ${rssAfter} kB; ` +
      `${refusalLines.length} refusal log lines`,
  );
  // Every flooding connection was closed by the server (not by its own hold timer), and was never answered.
  expect(floodResults.filter((r) => !r.closedByServer)).toEqual([]);
  expect(floodResults.every((r) => r.bytesRead === 0)).toBe(true);

  expect(moBodies.sort()).toEqual(Array.from({ length: 5 }, (_, i) => `mo during flood ${i}`));
  expect(accepted.length - delivered.length).toBe(0);
  expect(rssPeak - rssBefore).toBeLessThan(RSS_BOUND_KB);

  // Refusals are logged, but throttled: 300 refusals are not 300 log lines.
  expect(refusalLines.length).toBeGreaterThan(0);
  expect(refusalLines.length).toBeLessThan(FLOOD_CONNECTIONS / 10);
  expect(errorLines(service)).toEqual([]);
}, 120_000);
