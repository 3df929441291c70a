// Issue 6, "Done when" 5: two `serve` processes (own HTTP and SIP ports) on one database and one SMSC share 400
// messages created through both APIs. The SMSC sends its receipts and MO to instance A only, as a real SMSC has
// one service address; receipt matching is in the database, so A also moves B's messages to delivered.
import { hostname } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, countBodies, OUR_NUMBER, startSimulator, waitFor } from './e2e-harness.js';
import { ANSWERING_SMSC_SIP, createAll, errorLines, startServe, statusByBody } from './process-harness.js';
import { startWebhookRecorder } from './webhook-recorder.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** The instance (by pid) that made the last claim of each message: the claim that sent it (smsc_result), or its holder. */
async function lastClaimerPid(db: Database): Promise<Map<string, number>> {
  const rows = await db.query<{ body: string; claimed_by: string }>(
    `SELECT m.body, COALESCE(m.smsc_result->>'claimedBy', m.claimed_by) AS claimed_by
     FROM messages m WHERE m.direction = 'outbound-api' AND COALESCE(m.smsc_result->>'claimedBy', m.claimed_by) IS NOT NULL`,
  );
  const prefix = `${hostname()}-`;
  return new Map(rows.map((row) => [row.body, Number(row.claimed_by.slice(prefix.length).split('-')[0])]));
}

it('shares 400 messages between two instances: each body once, both send, receipts matched across instances', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const app = await startWebhookRecorder();
  cleanup.push(() => app.stop());
  const [sipA, sipB] = [await freePort('udp'), await freePort('udp')];
  const smsc = await startSimulator({ servicePort: sipA, receipts: { delayMs: 50 } });
  cleanup.push(() => smsc.stop());
  // A second SMSC node, used only to deliver an MO to instance B.
  const smscForB = await startSimulator({ servicePort: sipB });
  cleanup.push(() => smscForB.stop());
  const a = await startServe({ databaseUrl: testDb.url, sipPort: sipA, smscPort: smsc.port, extra: ANSWERING_SMSC_SIP });
  cleanup.push(() => a.stop());
  const b = await startServe({ databaseUrl: testDb.url, sipPort: sipB, smscPort: smsc.port, extra: ANSWERING_SMSC_SIP });
  cleanup.push(() => b.stop());
  expect((await apiClient(a.url).createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${app.url}/sms` })).status).toBe(201);

  const bodies = Array.from({ length: 400 }, (_, i) => `shared ${i}`);
  const [viaA, viaB] = await Promise.all([
    createAll({ baseUrl: a.url, bodies: bodies.filter((_, i) => i % 2 === 0), concurrency: 8 }),
    createAll({ baseUrl: b.url, bodies: bodies.filter((_, i) => i % 2 === 1), concurrency: 8 }),
  ]);
  expect(viaA.length + viaB.length).toBe(400);

  const statuses = await waitFor('all 400 delivered', async () => {
    const found = await statusByBody(db);
    return bodies.every((body) => found.get(body) === 'delivered') ? found : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  expect(statuses.size).toBe(400);

  const { accepted, unanswered } = countBodies(smsc.received());
  expect([...accepted.keys()].sort()).toEqual([...bodies].sort());
  expect([...accepted.values()].every((n) => n === 1)).toBe(true);
  expect(unanswered.size).toBe(0);

  const claimer = await lastClaimerPid(db);
  const sentByB = bodies.filter((body) => claimer.get(body) === b.pid);
  const sentByA = bodies.filter((body) => claimer.get(body) === a.pid);
  expect(sentByA.length + sentByB.length).toBe(400);
  expect(sentByA.length).toBeGreaterThan(0);
  expect(sentByB.length).toBeGreaterThan(0);
  // B's messages are delivered, yet every receipt went to A: A matched them in the database.
  expect(sentByB.every((body) => statuses.get(body) === 'delivered')).toBe(true);
  // Every receipt was answered 2xx by A (the 200 may trail the commit that made the message delivered).
  await waitFor('400 receipts acknowledged', () => smsc.stats().receipts.acknowledged === 400);
  expect(smsc.stats().receipts).toMatchObject({ sent: 400, acknowledged: 400, failed: 0 });

  // Each instance accepts an MO on its own SIP port.
  expect((await smsc.sendMo({ from: '447700900001', to: OUR_NUMBER.slice(1), text: 'MO to A' })).map((r) => r.status)).toEqual([200]);
  expect((await smscForB.sendMo({ from: '447700900002', to: OUR_NUMBER.slice(1), text: 'MO to B' })).map((r) => r.status)).toEqual([200]);
  const inbound = await db.query<{ body: string; from_address: string }>(
    `SELECT body, from_address FROM messages WHERE direction = 'inbound' ORDER BY body`,
  );
  expect(inbound).toEqual([
    { body: 'MO to A', from_address: '+447700900001' },
    { body: 'MO to B', from_address: '+447700900002' },
  ]);
  await waitFor('both inbound webhooks', () => app.requests().filter((r) => r.path === '/sms').length === 2);
  console.info(`two instances: A sent ${sentByA.length}, B sent ${sentByB.length}`);
  expect(errorLines(a)).toEqual([]);
  expect(errorLines(b)).toEqual([]);
  expect((await Promise.all([a.stop(), b.stop()])).map((exit) => exit.code)).toEqual([0, 0]);
}, 120_000);
