// The SMPP road under trouble: an SMSC that throttles, a link that drops mid-burst, a bind whose peer speaks
// garbage, and the message_payload mode. Nothing is lost and the process keeps running.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMPP_ACCOUNT, startStack, submissions, waitFor, waitForStatus, type Stack } from './harness.js';

const HANDSET = '+447700900123';

/** A TCP peer that answers every connection with HTTP and random bytes, never SMPP. */
async function startGarbagePeer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => socket.write(Buffer.from('\x00\x00\x00\x05garbage that is not a PDU\xff\xff\xff\xff')));
    socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function allOutboundSettled(stack: Stack, sids: readonly string[], statuses: readonly string[]): Promise<void> {
  await waitFor(`${sids.length} messages to be ${statuses.join('/')}`, async () => {
    const rows = await stack.service.db.query<{ status: string }>('SELECT status FROM messages WHERE sid = ANY($1::text[])', [sids]);
    return rows.length === sids.length && rows.every((row) => statuses.includes(row.status));
  }, { timeoutMs: 40_000 });
}

describe('SMPP road resilience', () => {
  let stack: Stack;
  let garbage: Awaited<ReturnType<typeof startGarbagePeer>>;

  beforeAll(async () => {
    garbage = await startGarbagePeer();
    stack = await startStack({
      env: {
        SMSC_DEFAULT_ROUTE: 'smpp',
        // Two binds: the simulator, and a peer that speaks garbage and never binds.
        SMPP_BINDS: `smpp://${SMPP_ACCOUNT.systemId}:${SMPP_ACCOUNT.password}@127.0.0.1:{SMPP}, smpp://x:y@127.0.0.1:${garbage.port}`,
      },
    });
    expect((await stack.api.createNumber({ PhoneNumber: '+15005550006' })).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
    await garbage?.close();
  });

  it('keeps working beside a bind whose peer speaks garbage', async () => {
    await waitFor('the garbage peer to be tried twice', () => garbage.connections() >= 2);
    const message = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: 'Despite the noise' });
    await waitForStatus(stack, message.sid, 'delivered');
    expect((await stack.api.events(message.sid)).find((e) => e.type === 'route')?.detail).toEqual({ route: 'smpp', source: 'default' });
  });

  it('retries throttled submits later and sends them all', async () => {
    stack.simulator.setPolicy({ answer: 400 }); // the simulator answers ESME_RTHROTTLED (0x58)
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: `Throttled ${i}` })).sid);
    await waitFor('a throttled attempt', async () => {
      const events = await stack.api.events(sids[0]!);
      return events.find((e) => e.type === 'send_attempt' && e.detail.commandStatusName === 'ESME_RTHROTTLED');
    });
    stack.simulator.setPolicy({ answer: 200 });
    await allOutboundSettled(stack, sids, ['delivered']);
    for (const sid of sids) expect((await submissions(stack, sid)).map((s) => s.route)).toEqual(['smpp']);
  });

  it('reconnects after the SMSC drops the TCP connection mid-burst and loses nothing', async () => {
    stack.simulator.setPolicy({ answer: 200, latencyMs: 30 }); // submits are in flight when the link drops
    const sids: string[] = [];
    for (let i = 0; i < 20; i++) sids.push((await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: `Burst ${i}` })).sid);
    await waitFor('some of the burst sent', async () => {
      const rows = await stack.service.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM smsc_submissions WHERE message_sid = ANY($1::text[]))::int
         + (SELECT count(*) FROM messages WHERE sid = ANY($1::text[]) AND smsc_message_id IS NOT NULL)::int AS n`, [sids]);
      return (rows[0]?.n ?? 0) >= 1;
    });
    await stack.simulator.stop(); // every session dropped, the port closed
    for (let i = 20; i < 30; i++) sids.push((await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: `Burst ${i}` })).sid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.simulator.start(); // same SMPP port: the ESME re-binds with backoff
    // Receipts of messages accepted just before the drop died with the old simulator, so `sent` is final for them.
    await allOutboundSettled(stack, sids, ['sent', 'delivered']);
    const rows = await stack.service.db.query<{ sid: string; ids: number }>(
      `SELECT m.sid, (count(s.smsc_message_id) + (m.smsc_message_id IS NOT NULL)::int)::int AS ids
       FROM messages m LEFT JOIN smsc_submissions s ON s.message_sid = m.sid
       WHERE m.sid = ANY($1::text[]) GROUP BY m.sid`, [sids],
    );
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.ids >= 1)).toBe(true);
    // Everything created while the link was down went out on the new session and got its receipt.
    await allOutboundSettled(stack, sids.slice(20), ['delivered']);
    const attempts = await stack.service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_events WHERE message_sid = ANY($1::text[]) AND type = 'send_attempt'
         AND detail->>'outcome' = 'temporary-failure'`, [sids],
    );
    expect(attempts[0]?.n).toBeGreaterThan(0); // the drop did interrupt submits, which were retried
  });
});

describe('message_payload mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { SMSC_DEFAULT_ROUTE: 'smpp', SMPP_LONG_MESSAGES: 'payload' } });
    expect((await stack.api.createNumber({ PhoneNumber: '+15005550006' })).status).toBe(201);
  });
  afterAll(async () => stack?.close());

  it('sends a long text as one submit_sm with one SMSC id', async () => {
    const body = 'Carried whole in message_payload. '.repeat(8);
    const message = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body });
    await waitForStatus(stack, message.sid, 'delivered');
    expect((await submissions(stack, message.sid)).map((s) => [s.part_number, s.total_parts, s.status])).toEqual([[1, 1, 'delivered']]);
  });
});
