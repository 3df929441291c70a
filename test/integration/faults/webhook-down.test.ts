// Fault suite: the app's webhook endpoint is down for 60 s of wall time (issue 12 point 6). For the first 30 s
// nothing listens on its port (connections refused, 11205), for the next 30 s it answers 500 (11217); then it is
// back. Meanwhile inbound MO arrive from the SMSC simulator and outbound messages with a StatusCallback are sent
// and receipted. The real service runs with the default attempt policy (no attempt limit, 1 h deadline) and a
// backoff cap shrunk to 5 s to keep the test short. After recovery every webhook that was accepted must have
// arrived (0 lost), each exactly once with a 2xx, every repeat with the same I-Twilio-Idempotency-Token, and
// each message's `sent` callback before its `delivered`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, waitFor } from '../e2e/e2e-harness.js';

const DOWN_MS = 60_000;
const HANDSET = '+447700900123';
const MO_COUNT = 30;
const MT_COUNT = 15;

interface Hit {
  path: string;
  token: string;
  messageSid: string;
  status: string | undefined;
  answered: number;
  at: number;
}

type Mode = 'up' | 'error';

/** The customer's app: records every request with the answer it got; can stop listening and come back on its port. */
async function startApp() {
  const hits: Hit[] = [];
  let mode: Mode = 'up';
  const sockets = new Set<Socket>();
  const handler = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const answered = mode === 'up' ? (request.url?.startsWith('/sms') ? 200 : 204) : 500;
      hits.push({
        path: (request.url ?? '/').split('?')[0]!,
        token: String(request.headers['i-twilio-idempotency-token'] ?? ''),
        messageSid: params.get('MessageSid') ?? '',
        status: params.get('MessageStatus') ?? undefined,
        answered,
        at: Date.now(),
      });
      if (answered === 200) response.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
      else response.writeHead(answered).end();
    });
  });
  handler.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (server: Server, port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(handler, 0);
  const port = (handler.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    /** Stops listening: new connections are refused; open keep-alive connections are cut. */
    refuse: async () => {
      await new Promise<void>((resolve) => {
        handler.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    /** Listens again on the same port, answering 500 until `recover`. */
    failWith500: async () => {
      mode = 'error';
      await listen(handler, port);
    },
    recover: () => {
      mode = 'up';
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      if (handler.listening) await new Promise<void>((resolve) => handler.close(() => resolve()));
    },
  };
}

/** Wall-clock wait (timers may fire a millisecond early by Date.now()). */
async function sleepUntil(at: number): Promise<void> {
  while (Date.now() < at) await sleep(at - Date.now() + 1);
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('an app down for 60 s (refused, then 500) gets every inbound webhook and status callback once it is back', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const app = await startApp();
  cleanup.push(() => app.stop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, receipts: { delayMs: 200, outcome: 'delivered' } });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { WEBHOOK_RETRY_MAX_DELAY_S: '5' },
  }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${app.url}/sms` })).status).toBe(201);

  const mo = async (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const responses = await smsc.sendMo({ from: HANDSET.slice(1), to: OUR_NUMBER.slice(1), text: `mo ${i}` });
      expect(responses.map((r) => r.status)).toEqual([200]);
    }
  };
  const mt = async (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const created = await api.createMessage({ To: HANDSET, From: OUR_NUMBER, Body: `mt ${i}`, StatusCallback: `${app.url}/status?n=${i}` });
      expect(created.status).toBe(201);
    }
  };

  // Down: refused for the first half, 500 for the second; traffic arrives in both halves.
  const downAt = Date.now();
  await app.refuse();
  await mo(0, MO_COUNT / 2);
  await mt(0, Math.ceil(MT_COUNT / 2));
  await sleepUntil(downAt + DOWN_MS / 2);
  await app.failWith500();
  await mo(MO_COUNT / 2, MO_COUNT);
  await mt(Math.ceil(MT_COUNT / 2), MT_COUNT);
  await waitFor('every receipt', async () => {
    const [row] = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'delivered'`);
    return row!.n === MT_COUNT;
  }, { timeoutMs: 30_000 });
  await sleepUntil(downAt + DOWN_MS);
  expect(Date.now() - downAt).toBeGreaterThanOrEqual(DOWN_MS);
  app.recover();
  const upAt = Date.now();

  // Accepted: one inbound webhook per MO, a `sent` and a `delivered` callback per outbound message.
  const expected = MO_COUNT + 2 * MT_COUNT;
  const deliveries = await service.db.query<{ token: string; kind: string; message_sid: string; status: string | null }>(
    `SELECT idempotency_token AS token, kind, message_sid, params->>'MessageStatus' AS status FROM webhook_deliveries ORDER BY id`,
  );
  expect(deliveries).toHaveLength(expected);
  const ok = () => app.hits.filter((h) => h.answered < 300);
  await waitFor('every webhook delivered after recovery', () => ok().length >= expected, { timeoutMs: 60_000, intervalMs: 200 });
  await waitFor('every delivery recorded as succeeded', async () => {
    const rows = await service.db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM webhook_deliveries GROUP BY state`);
    return rows.length === 1 && rows[0]!.state === 'succeeded' && rows[0]!.n === expected;
  }, { timeoutMs: 30_000 });

  // 0 lost, none twice: each accepted webhook arrived exactly once with a 2xx, under its own token.
  const delivered = ok();
  expect(delivered).toHaveLength(expected);
  expect(new Set(delivered.map((h) => h.token))).toEqual(new Set(deliveries.map((d) => d.token)));
  // Every repeat of a webhook carried its delivery's token: a token's hits are all for one message and event.
  const byToken = new Map(deliveries.map((d) => [d.token, d]));
  for (const hit of app.hits) {
    const row = byToken.get(hit.token);
    expect(row, `hit with unknown token ${hit.token}`).toBeDefined();
    expect([hit.messageSid, hit.status ?? null, hit.path]).toEqual([row!.message_sid, row!.status, row!.kind === 'sms' ? '/sms' : '/status']);
  }
  // Everything accepted during the downtime was really retried through it.
  const failedHits = app.hits.filter((h) => h.answered >= 300);
  // (`delivered` callbacks wait behind their message's `sent`, so their first attempt is after recovery.)
  expect(new Set(failedHits.map((h) => h.token)).size).toBe(MO_COUNT + MT_COUNT);
  const codes = await service.db.query<{ error_code: number | null; n: number }>(
    `SELECT error_code, count(*)::int AS n FROM webhook_attempts GROUP BY error_code ORDER BY error_code NULLS LAST`,
  );
  // Attempt rows are failed attempts only (issue 13): the successes are their delivery rows.
  expect(codes.map((c) => c.error_code)).toEqual([11205, 11217]);
  // Per message, `sent` is delivered before `delivered`.
  for (const sid of new Set(deliveries.filter((d) => d.kind === 'status_callback').map((d) => d.message_sid))) {
    expect(delivered.filter((h) => h.messageSid === sid).map((h) => h.status)).toEqual(['sent', 'delivered']);
  }
  const lastAt = Math.max(...delivered.map((h) => h.at));
  console.info(
    `webhook-down: ${expected} webhooks accepted, ${delivered.length} delivered, 0 lost; ${app.hits.length - delivered.length} failed ` +
      `attempts during ${DOWN_MS / 1000} s down; all delivered ${lastAt - upAt} ms after recovery`,
  );
}, 180_000);
