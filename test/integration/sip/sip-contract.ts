// The SIP port contract, run against every adapter with sipp as the real peer on 127.0.0.1.
//
//   describeSipContract('native', (opts) => createNativeSipAdapter(opts));
//
// An adapter whose timers are fixed elsewhere (drachtio-server: 32 s Timer F) passes `silenceTimeoutMs`.
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeOutboundSms } from '../../../src/sip/header-codec.js';
import { getHeader, type IncomingSipMessage, type SipListenAddress, type SipPort } from '../../../src/sip/port.js';
import { scenarioPath, sippRetransmissions, startSipp, uacScenario, uasScenario, writeScenario, type SippResult } from './sipp.js';
import { waitFor } from '../../helpers/wait-for.js';

export type ContractTimers = { t1Ms: number; t2Ms: number; t4Ms: number };
export type ContractAdapter = SipPort & { boundAddresses(): SipListenAddress[] };
export type MakeContractAdapter = (opts: { listen: SipListenAddress[]; timers: ContractTimers }) => ContractAdapter | Promise<ContractAdapter>;

export interface SipContractOptions {
  transports?: Array<'udp' | 'tcp'>;
  /** Upper bound for the local 408 against a silent peer; default 64*T1 + 2 s. */
  silenceTimeoutMs?: number;
}

export const CONTRACT_TIMERS: ContractTimers = { t1Ms: 50, t2Ms: 400, t4Ms: 500 };

export function describeSipContract(name: string, makeAdapter: MakeContractAdapter, options: SipContractOptions = {}): void {
  for (const transport of options.transports ?? ['udp', 'tcp']) {
    describe(`${name} adapter: SIP contract over ${transport.toUpperCase()}`, () => {
      const cleanups: Array<() => Promise<void> | void> = [];
      afterEach(async () => {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      });
      const context = { transport, makeAdapter, cleanups, options };
      describeOutbound(context);
      describeInbound(context);
    });
  }
}

interface Context {
  transport: 'udp' | 'tcp';
  makeAdapter: MakeContractAdapter;
  cleanups: Array<() => Promise<void> | void>;
  options: SipContractOptions;
}

async function startAdapter(context: Context): Promise<{ adapter: ContractAdapter; port: number }> {
  const adapter = await context.makeAdapter({ listen: [{ transport: context.transport, host: '127.0.0.1', port: 0 }], timers: CONTRACT_TIMERS });
  await adapter.start();
  context.cleanups.push(() => adapter.stop());
  const bound = adapter.boundAddresses().find((address) => address.transport === context.transport);
  if (!bound) throw new Error(`adapter bound no ${context.transport} address`);
  expect(adapter.isReady()).toBe(true);
  return { adapter, port: bound.port };
}

function expectSippPassed(result: SippResult): void {
  expect({ exitCode: result.exitCode, errors: result.errors.trim() }).toEqual({ exitCode: 0, errors: '' });
}

function smsTo(port: number, transport: 'udp' | 'tcp', localPort: number) {
  return encodeOutboundSms({
    to: '+447700900123',
    from: '+447700900456',
    body: 'Привет',
    coding: 2,
    udhHex: '050003a70201',
    validUntil: new Date('2024-06-15T14:37:05Z'),
    sendValidity: true,
    requestReceipt: true,
    smscUri: `sip:127.0.0.1:${port};transport=${transport}`,
    localHostPort: `127.0.0.1:${localPort}`,
  });
}

function describeOutbound(context: Context): void {
  const { transport } = context;

  it('sends a MESSAGE whose X-SMS-* headers sipp sees byte-exact, and resolves with its 200', async () => {
    const { adapter, port: localPort } = await startAdapter(context);
    const uas = await startSipp({
      transport,
      scenario: await writeScenario(
        uasScenario({
          status: 200,
          expectHeaderLines: [
            'X-SMS-CODING: 2',
            'X-SMS-UDH: 050003A70201',
            'X-SMS-VALIDITY: 2024-06-15 14:37:05',
            'X-REG-DELIVERY: 1',
            'Content-Type: text/plain;charset=UTF-8',
            'Content-Length: 12',
          ],
          expectRegexes: ['^MESSAGE sip:447700900123@127\\.0\\.0\\.1:[0-9]+(;transport=[a-z]+)? SIP/2\\.0', 'From: <sip:447700900456@127\\.0\\.0\\.1:[0-9]+>;tag='],
          responseHeaderLines: ['X-SMSC-MSGID: sipp-1'],
        }),
      ),
    });
    context.cleanups.push(() => uas.kill());
    const response = await adapter.request('MESSAGE', smsTo(uas.port, transport, localPort));
    expect({ status: response.status, reason: response.reason, local: response.local }).toEqual({ status: 200, reason: 'OK', local: false });
    expect(getHeader(response.headers, 'x-smsc-msgid')).toBe('sipp-1');
    expectSippPassed(await uas.done);
  });

  it('resolves with the final 500 the peer sends, and skips a 100 Trying before a 202', async () => {
    const { adapter, port: localPort } = await startAdapter(context);
    for (const [spec, expected] of [
      [{ status: 500, reason: 'Server Internal Error' }, { status: 500, reason: 'Server Internal Error', local: false }],
      [{ status: 202, reason: 'Accepted', provisional: true }, { status: 202, reason: 'Accepted', local: false }],
    ] as const) {
      const uas = await startSipp({ transport, scenario: await writeScenario(uasScenario(spec)) });
      context.cleanups.push(() => uas.kill());
      const response = await adapter.request('MESSAGE', smsTo(uas.port, transport, localPort));
      expect({ status: response.status, reason: response.reason, local: response.local }).toEqual(expected);
      expectSippPassed(await uas.done);
    }
  });

  it('sends OPTIONS and resolves with the 200', async () => {
    const { adapter, port: localPort } = await startAdapter(context);
    const uas = await startSipp({ transport, scenario: await writeScenario(uasScenario({ method: 'OPTIONS', status: 200 })) });
    context.cleanups.push(() => uas.kill());
    const response = await adapter.request('OPTIONS', {
      requestUri: `sip:127.0.0.1:${uas.port};transport=${transport}`,
      from: `sip:probe@127.0.0.1:${localPort}`,
      to: `sip:127.0.0.1:${uas.port}`,
      headers: [],
      contentType: '',
      body: Buffer.alloc(0),
    });
    expect([response.status, response.local]).toEqual([200, false]);
    expectSippPassed(await uas.done);
  });

  it('resolves with a local 408 when the peer never answers', async () => {
    const { adapter, port: localPort } = await startAdapter(context);
    const silent = await startSilentPeer(transport);
    context.cleanups.push(() => silent.close());
    const started = Date.now();
    const response = await adapter.request('MESSAGE', smsTo(silent.port, transport, localPort));
    const elapsed = Date.now() - started;
    expect(response).toMatchObject({ status: 408, local: true });
    expect(elapsed).toBeLessThan(context.options.silenceTimeoutMs ?? 64 * CONTRACT_TIMERS.t1Ms + 2000);
    expect(silent.received()).toBeGreaterThanOrEqual(1);
  });
}

function describeInbound(context: Context): void {
  const { transport } = context;
  const received: IncomingSipMessage[] = [];
  afterEach(() => {
    received.length = 0;
  });

  it('hands an SMSC-style MESSAGE (no From tag, CSeq 2) to the handler once and answers with a To tag', async () => {
    const { adapter, port } = await startAdapter(context);
    adapter.onMessage(async (message) => {
      received.push(message);
      return { status: 200, headers: [['X-Reply', 'yes']] };
    });
    const scenario = uacScenario({
      messages: [{ headerLines: ['X-SMS-CODING: 0', 'X-SMS-UDH: 050003A70201', 'X-DELIVERY_TIME: 02024-37-15 02:37:05'], body: 'Grüße ✓', expectStatus: 200, expectHeaderLines: ['X-Reply: yes'] }],
    });
    const result = await (await startSipp({ transport, remote: `127.0.0.1:${port}`, scenario: await writeScenario(scenario) })).done;
    expectSippPassed(result);
    expect(received).toHaveLength(1);
    const message = received[0]!;
    expect({ method: message.method, fromUser: message.fromUser, toUser: message.toUser, cseq: message.cseq, body: message.body.toString('utf8') }).toEqual({
      // sipp ends the last body line with CRLF and counts it in Content-Length.
      method: 'MESSAGE', fromUser: '447700900123', toUser: '14155550100', cseq: '2 MESSAGE', body: 'Grüße ✓\r\n',
    });
    expect(message.from).toMatch(/^<sip:447700900123@127\.0\.0\.1:\d+>$/);
    expect(message.headers.filter(([name]) => name.startsWith('X-'))).toEqual([
      ['X-SMS-CODING', '0'], ['X-SMS-UDH', '050003A70201'], ['X-DELIVERY_TIME', '02024-37-15 02:37:05'],
    ]);
    expect(message.source).toMatchObject({ transport, address: '127.0.0.1' });
  });

  it('reads compact forms and lower-case names, and answers with the same header spelling plus a To tag', async () => {
    const { adapter, port } = await startAdapter(context);
    adapter.onMessage(async (message) => {
      received.push(message);
      return { status: 200 };
    });
    expectSippPassed(await (await startSipp({ transport, remote: `127.0.0.1:${port}`, scenario: scenarioPath('compact-form-uac.xml') })).done);
    expect(received).toHaveLength(1);
    const message = received[0]!;
    expect([message.fromUser, message.toUser, message.cseq, getHeader(message.headers, 'X-SMS-CODING'), message.body.toString('utf8')]).toEqual([
      '447700900123', '14155550100', '2 MESSAGE', '2', 'Привет\r\n',
    ]);
  });

  it('answers 500 when the handler throws, and 200 to OPTIONS without calling the handler', async () => {
    const { adapter, port } = await startAdapter(context);
    adapter.onMessage(async (message) => {
      received.push(message);
      throw new Error('database down');
    });
    const scenario = uacScenario({ messages: [{ body: 'x', expectStatus: 500 }, { method: 'OPTIONS', expectStatus: 200 }] });
    expectSippPassed(await (await startSipp({ transport, remote: `127.0.0.1:${port}`, scenario: await writeScenario(scenario) })).done);
    expect(received).toHaveLength(1);
  });

  if (transport === 'udp') describeUdpRetransmissions(context, received);
}

function describeUdpRetransmissions(context: Context, received: IncomingSipMessage[]): void {
  it('absorbs retransmissions that arrive while the handler is still running (handler called once)', async () => {
    const { adapter, port } = await startAdapter(context);
    adapter.onMessage(async (message) => {
      received.push(message);
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { status: 202 };
    });
    // sipp retransmits at 50, 150, 350 ms ... while the handler sleeps 400 ms.
    const scenario = uacScenario({ messages: [{ body: 'slow', expectStatus: 202, retransMs: 50 }] });
    const result = await (await startSipp({ transport: 'udp', remote: `127.0.0.1:${port}`, scenario: await writeScenario(scenario) })).done;
    expectSippPassed(result);
    expect(sippRetransmissions(result.stdout, 'MESSAGE')).toBeGreaterThanOrEqual(2);
    expect(received).toHaveLength(1);
  });

  it('re-sends the same final response to a retransmission after it answered', async () => {
    const { adapter, port } = await startAdapter(context);
    adapter.onMessage(async (message) => {
      received.push(message);
      return { status: 200 };
    });
    const client = createSocket('udp4');
    context.cleanups.push(() => new Promise<void>((resolve) => client.close(() => resolve())));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    const replies: string[] = [];
    client.on('message', (data) => replies.push(data.toString()));
    const request = rawMessage(client.address().port, port);
    client.send(request, port, '127.0.0.1');
    await waitFor('the first response', () => replies.length === 1);
    client.send(request, port, '127.0.0.1');
    await waitFor('the re-sent response', () => replies.length === 2);
    expect(replies[1]).toBe(replies[0]);
    expect(replies[0]).toMatch(/^SIP\/2\.0 200 [^\r]*\r\n/);
    expect(replies[0]).toMatch(/\r\nTo: <sip:14155550100@127\.0\.0\.1>;tag=[^\r;]+\r\n/);
    expect(received).toHaveLength(1);
  });
}

export function rawMessage(localPort: number, remotePort: number, overrides: { branch?: string; method?: string } = {}): Buffer {
  const method = overrides.method ?? 'MESSAGE';
  return Buffer.from(
    [
      `${method} sip:14155550100@127.0.0.1:${remotePort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${overrides.branch ?? `z9hG4bK-raw-${Date.now()}`}`,
      'From: <sip:447700900123@127.0.0.1>',
      'To: <sip:14155550100@127.0.0.1>',
      `Call-ID: raw-${Math.random()}@127.0.0.1`,
      `CSeq: 2 ${method}`,
      'Max-Forwards: 70',
      'Content-Type: text/plain',
      'Content-Length: 2',
      '',
      'hi',
    ].join('\r\n'),
  );
}

export { waitFor };

/** A peer that accepts traffic and never answers: a UDP black hole or a TCP server that only reads. */
export async function startSilentPeer(transport: 'udp' | 'tcp'): Promise<{ port: number; received(): number; close(): Promise<void> }> {
  let count = 0;
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    socket.on('message', () => (count += 1));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return { port: socket.address().port, received: () => count, close: () => new Promise((resolve) => socket.close(() => resolve())) };
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => (count += 1));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    received: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
