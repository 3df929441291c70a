// Issue 12, point 8: while no SMPP session is bound, the dispatcher claims nothing of the SMPP route (it used to
// claim and hand back nonstop: 29,539 `sending` events for 2,200 messages in 40 s); the backlog waits, shown by
// the metrics; once the bind comes up, every message is sent, each claimed once.
import { afterAll, expect, it } from 'vitest';
import { createSmscServer, type SmscServer } from '../../../src/smpp/smsc-server.js';
import { freeTcpPort, SMPP_ACCOUNT, startStack, waitFor, type Stack } from './harness.js';

const COUNT = 200;
let stack: Stack | undefined;
let smsc: SmscServer | undefined;
afterAll(async () => {
  await stack?.close();
  await smsc?.close();
});

const metricValue = (text: string, series: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};

it('holds SMPP messages unclaimed while the bind is down, shows the backlog, and sends them all once it is up', async () => {
  // The SMSC's SMPP port refuses connections until the test starts a server there.
  const smppPort = await freeTcpPort();
  stack = await startStack({
    env: { SMSC_DEFAULT_ROUTE: 'smpp', SMPP_BINDS: `smpp://${SMPP_ACCOUNT.systemId}:${SMPP_ACCOUNT.password}@127.0.0.1:${smppPort}` },
  });
  const { service, api } = stack;
  expect((await api.createNumber({ PhoneNumber: '+15005550006' })).status).toBe(201);
  const sids: string[] = [];
  for (let i = 0; i < COUNT; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => api.createMessage({ To: '+447700900123', From: '+15005550006', Body: `held ${i + j}` })));
    for (const created of batch) {
      expect(created.status).toBe(201);
      sids.push(created.body.sid as string);
    }
  }
  const sendingEvents = async () => {
    // The `sending` step of a message's history is its send_started_at (set by each claim), not an event row.
    const [row] = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE send_started_at IS NOT NULL');
    return row?.n ?? 0;
  };
  // An observation window, not a correctness wait: the old loop claimed and handed back every poll.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const claimedWhileDown = service.messaging.dispatcher.stats().claimed;
  const sendingWhileDown = await sendingEvents();
  console.info(`bind down for 3 s: ${claimedWhileDown} claims, ${sendingWhileDown} sending events for ${COUNT} messages`);
  expect({ claimedWhileDown, sendingWhileDown }).toEqual({ claimedWhileDown: 0, sendingWhileDown: 0 });

  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  expect(metricValue(metrics, 'smsc_route_ready{route="smpp"}')).toBe(0);
  expect(metricValue(metrics, 'smsc_route_ready{route="sip"}')).toBe(1);
  expect(metricValue(metrics, 'smsc_outbound_queued{route="smpp"}')).toBe(COUNT);
  expect(metricValue(metrics, 'smsc_outbound_queued{route="sip"}')).toBe(0);

  const submits = new Map<string, number>();
  smsc = createSmscServer({
    accounts: [SMPP_ACCOUNT], port: smppPort,
    onSubmit: async ({ pdu }) => {
      const text = Buffer.from((pdu as { short_message?: Buffer }).short_message ?? Buffer.alloc(0)).toString('latin1');
      submits.set(text, (submits.get(text) ?? 0) + 1);
    },
  });
  await smsc.listen();
  await waitFor(`${COUNT} messages sent`, async () => {
    const [row] = await service.db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND status = 'sent'", [sids]);
    return row?.n === COUNT;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  expect(submits.size).toBe(COUNT);
  expect([...submits.values()].every((n) => n === 1)).toBe(true);
  expect(await sendingEvents()).toBe(COUNT);
  const after = await (await fetch(`${service.url}/metrics`)).text();
  expect(metricValue(after, 'smsc_route_ready{route="smpp"}')).toBe(1);
  expect(metricValue(after, 'smsc_outbound_queued{route="smpp"}')).toBe(0);
}, 120_000);
