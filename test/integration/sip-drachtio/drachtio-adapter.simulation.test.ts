// The drachtio adapter driven through the real drachtio-srf client code against a scripted fake of
// drachtio-server's control port. These are protocol-simulation tests: no SIP peer and no real
// drachtio-server take part, so they say nothing about interop (see drachtio-real.test.ts for that).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingSipMessage, OutgoingSipMessage } from '../../../src/sip/port.js';
import { createDrachtioSipAdapter, SipTransportError, type DrachtioSipAdapterOptions, type DrachtioSipPort } from '../../../src/sip/drachtio/index.js';
import { FakeDrachtioServer, type ClientFrame } from '../../fakes/drachtio-server/fake-drachtio-server.js';

const SECRET = 'cymru';

const message: OutgoingSipMessage = {
  requestUri: 'sip:447700900123@127.0.0.1:5070;transport=udp',
  from: 'sip:447700900456@127.0.0.1:5060',
  to: 'sip:447700900123@127.0.0.1:5070',
  headers: [
    ['X-SMS-CODING', '0'],
    ['X-REG-DELIVERY', '1'],
    ['X-SMS-UDH', '050003A70201'],
    ['X-DELIVERY_TIME', '20250101120000'],
  ],
  contentType: 'text/plain;charset=UTF-8',
  body: Buffer.from('Grüße ✓ 1', 'utf8'),
};

let fake: FakeDrachtioServer;
let adapters: DrachtioSipPort[] = [];

function adapter(overrides: Partial<DrachtioSipAdapterOptions> = {}): DrachtioSipPort {
  const created = createDrachtioSipAdapter({ url: fake.url(), reconnect: { retryMaxDelayMs: 200 }, startTimeoutMs: 3000, ...overrides });
  adapters.push(created);
  return created;
}

async function started(overrides: Partial<DrachtioSipAdapterOptions> = {}): Promise<DrachtioSipPort> {
  const sip = adapter(overrides);
  await sip.start();
  return sip;
}

const isSentRequest = (frame: ClientFrame): boolean => frame.type === 'sip' && frame.args[0] === '' && frame.sip?.startsWith('MESSAGE ') === true;

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rejection(promise: Promise<unknown>): Promise<SipTransportError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SipTransportError);
  return error as SipTransportError;
}

beforeEach(async () => {
  fake = await FakeDrachtioServer.start({ secret: SECRET });
});

afterEach(async () => {
  for (const sip of adapters) await sip.stop();
  adapters = [];
  await fake.stop();
});

describe('drachtio adapter (protocol simulation, not interop)', () => {
  describe('control connection', () => {
    it('authenticates with the shared secret, routes MESSAGE and reports the server SIP listeners', async () => {
      const sip = adapter();
      expect(sip.boundAddresses()).toEqual([]);
      await sip.start();
      expect(sip.name).toBe('drachtio');
      expect(sip.isReady()).toBe(true);
      expect(sip.boundAddresses()).toEqual([{ transport: 'udp', host: '127.0.0.1', port: 5060 }]);
      const auth = await fake.waitForFrame((f) => f.type === 'authenticate');
      expect(auth.payload).toBe(`${auth.msgId}|authenticate|cymru|`);
      const route = await fake.waitForFrame((f) => f.type === 'route');
      expect(route.payload).toBe(`${route.msgId}|route|message`);
    });

    it('rejects start() with AUTH_FAILED when the server answers NOK', async () => {
      const sip = adapter({ url: fake.url('wrong-secret') });
      expect((await rejection(sip.start())).code).toBe('AUTH_FAILED');
      expect(sip.isReady()).toBe(false);
    });

    it('rejects start() with CONNECT_TIMEOUT when nothing listens, and then stops dialling', async () => {
      const port = fake.port;
      await fake.stop();
      const sip = adapter({ url: `tcp://127.0.0.1:${port}`, secret: SECRET, startTimeoutMs: 300 });
      expect((await rejection(sip.start())).code).toBe('CONNECT_TIMEOUT');
      fake = await FakeDrachtioServer.start({ secret: SECRET, port });
      await new Promise((resolve) => setTimeout(resolve, 600)); // three times the 200 ms reconnect cap
      expect(fake.frames).toEqual([]);
    });

    it('reconnects after a server restart, authenticates and re-sends route|message', async () => {
      const sip = await started();
      const since = fake.frames.length;
      await fake.restart({ downMs: 300 });
      expect(sip.isReady()).toBe(false);
      await waitUntil(() => sip.isReady());
      const reauth = await fake.waitForFrame((f) => f.type === 'authenticate', { since });
      const reroute = await fake.waitForFrame((f) => f.type === 'route' && f.connection === reauth.connection, { since });
      expect(reauth.args).toEqual(['cymru', '']);
      expect(reroute.args).toEqual(['message']);
      expect(reauth.connection).toBeGreaterThan(1);
      await expect(sip.request('MESSAGE', message)).resolves.toMatchObject({ status: 200, local: false });
    });
  });

  describe('sending MESSAGE', () => {
    it('sends the request text with X- header names spelled exactly and resolves with the 200', async () => {
      fake.onRequest = () => ({ kind: 'respond', status: 200, reason: 'OK', headers: [['X-SMSC-MSGID', 'smsc-42']] });
      const sip = await started();
      const response = await sip.request('MESSAGE', message);
      expect(response.status).toBe(200);
      expect(response.reason).toBe('OK');
      expect(response.local).toBe(false);
      expect(response.headers).toContainEqual(['X-SMSC-MSGID', 'smsc-42']);
      const frame = await fake.waitForFrame(isSentRequest);
      expect(frame.payload.startsWith(`${frame.msgId}|sip||\r\nMESSAGE sip:447700900123@127.0.0.1:5070;transport=udp SIP/2.0\r\n`)).toBe(true);
      for (const line of ['X-SMS-CODING: 0', 'X-REG-DELIVERY: 1', 'X-SMS-UDH: 050003A70201', 'X-DELIVERY_TIME: 20250101120000']) {
        expect(frame.sip?.split('\r\n')).toContain(line);
      }
      expect(frame.sip).toContain('From: <sip:447700900456@127.0.0.1:5060>\r\n');
      expect(frame.sip).toContain('Content-Type: text/plain;charset=UTF-8\r\n');
      expect(frame.sip?.endsWith('\r\n\r\nGrüße ✓ 1')).toBe(true);
      expect(fake.sentRequests[0]?.wire).toContain('Content-Length: 13\r\n');
    });

    it('resolves a 500 from the network as an ordinary final response', async () => {
      fake.onRequest = () => ({ kind: 'respond', status: 500, reason: 'Server Internal Error' });
      const sip = await started();
      await expect(sip.request('MESSAGE', message)).resolves.toEqual(
        expect.objectContaining({ status: 500, reason: 'Server Internal Error', local: false }),
      );
    });

    it("treats the server's own 408 (its Timer F) as a network response, not a local one", async () => {
      fake.onRequest = () => ({ kind: 'silent' });
      const sip = await started();
      const pending = sip.request('MESSAGE', message);
      const sent = await waitForSentRequest();
      fake.respond(sent, { status: 408, reason: 'Request Timeout' });
      await expect(pending).resolves.toEqual(expect.objectContaining({ status: 408, reason: 'Request Timeout', local: false }));
    });

    it('ignores provisional responses and resolves on the final one', async () => {
      fake.onRequest = () => ({ kind: 'silent' });
      const sip = await started();
      const pending = sip.request('OPTIONS', message);
      const sent = await waitForSentRequest();
      fake.respond(sent, { status: 100, reason: 'Trying' });
      fake.respond(sent, { status: 202, reason: 'Accepted' });
      await expect(pending).resolves.toEqual(expect.objectContaining({ status: 202, local: false }));
      expect(fake.sentRequests[0]?.wire.startsWith('OPTIONS sip:447700900123@127.0.0.1:5070;transport=udp SIP/2.0\r\n')).toBe(true);
    });

    it('does not miss a response that arrives in the same TCP chunk as the send acknowledgement', async () => {
      fake.onRequest = () => ({ kind: 'respond', status: 202, reason: 'Accepted', sameChunk: true });
      const sip = await started();
      await expect(sip.request('MESSAGE', message, { timeoutMs: 2000 })).resolves.toEqual(expect.objectContaining({ status: 202, local: false }));
    });

    it('resolves a local 408 when no final response comes before the adapter deadline', async () => {
      fake.onRequest = () => ({ kind: 'silent' });
      const sip = await started({ requestTimeoutMs: 150 });
      const response = await sip.request('MESSAGE', message);
      expect(response).toEqual({ status: 408, reason: 'Request Timeout', headers: [], local: true });
      fake.respond(fake.sentRequests[0]!.txnId, { status: 200, reason: 'OK' }); // late answer is ignored
      await expect(sip.request('MESSAGE', message, { timeoutMs: 100 })).resolves.toMatchObject({ status: 408, local: true });
    });

    it('fails a request in flight at once (local 503) when the control connection drops', async () => {
      fake.onRequest = () => ({ kind: 'silent' });
      const sip = await started({ requestTimeoutMs: 30_000 });
      const pending = sip.request('MESSAGE', message);
      await waitForSentRequest();
      fake.dropConnections();
      const outcome = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still pending'), 3000))]);
      expect(outcome).toEqual({ status: 503, reason: 'Service Unavailable (drachtio control connection lost)', headers: [], local: true });
      expect(sip.isReady()).toBe(false);
      expect((await rejection(sip.request('MESSAGE', message))).code).toBe('NOT_CONNECTED');
    });

    it('rejects with REQUEST_REJECTED when the server refuses to send (NOK)', async () => {
      fake.onRequest = () => ({ kind: 'refuse', reason: 'invalid request-uri' });
      const sip = await started();
      const error = await rejection(sip.request('MESSAGE', message));
      expect(error.code).toBe('REQUEST_REJECTED');
      expect(error.message).toBe('REQUEST_REJECTED: drachtio-server refused the request: invalid request-uri');
    });

    it('refuses bodies drachtio cannot carry (NUL, invalid UTF-8) without sending anything', async () => {
      const sip = await started();
      for (const body of [Buffer.from([0x41, 0x00, 0x42]), Buffer.from([0xff, 0xfe, 0x41])]) {
        expect((await rejection(sip.request('MESSAGE', { ...message, body }))).code).toBe('BODY_NOT_TEXT');
      }
      expect(fake.frames.filter(isSentRequest)).toEqual([]);
    });

    it('rejects with NOT_STARTED before start() and fails in-flight requests on stop()', async () => {
      fake.onRequest = () => ({ kind: 'silent' });
      const sip = adapter();
      expect((await rejection(sip.request('MESSAGE', message))).code).toBe('NOT_STARTED');
      await sip.start();
      const pending = sip.request('MESSAGE', message);
      await waitForSentRequest();
      await sip.stop();
      await expect(pending).resolves.toEqual({ status: 503, reason: 'Service Unavailable (adapter stopped)', headers: [], local: true });
      expect(sip.isReady()).toBe(false);
    });
  });

  describe('receiving MESSAGE', () => {
    const inbound = {
      requestUri: 'sip:447700900456@127.0.0.1:5060',
      from: 'sip:447700900123@127.0.0.1:5070',
      to: 'sip:447700900456@127.0.0.1:5060',
      headers: [['X-SMS-CODING', '2'], ['X-SMSC-ID', 'smsc-7']] as Array<[string, string]>,
      body: 'Привет',
    };

    it("delivers the request to the handler and sends the handler's status and headers", async () => {
      const sip = adapter();
      const seen: IncomingSipMessage[] = [];
      sip.onMessage(async (incoming) => {
        seen.push(incoming);
        return { status: 202, reason: 'Accepted', headers: [['X-SMSC-MSGID', 'ours-1']] };
      });
      await sip.start();
      const { txnId, frame, response } = await fake.injectRequest(inbound);
      expect(frame.payload.startsWith(`${frame.msgId}|sip|${txnId}|\r\nSIP/2.0 202 Accepted\r\n`)).toBe(true);
      expect(response.headers).toContainEqual(['X-SMSC-MSGID', 'ours-1']);
      const incoming = seen[0]!;
      expect(seen).toHaveLength(1);
      expect(incoming).toMatchObject({ method: 'MESSAGE', requestUri: inbound.requestUri, fromUser: '447700900123', toUser: '447700900456' });
      expect(incoming.headers).toContainEqual(['X-SMSC-ID', 'smsc-7']);
      expect(incoming.headers).toContainEqual(['X-SMS-CODING', '2']);
      expect(incoming.body.equals(Buffer.from('Привет', 'utf8'))).toBe(true);
      expect(incoming.source).toEqual({ transport: 'udp', address: '127.0.0.1', port: 5070 });
      expect(incoming.cseq).toBe('1 MESSAGE');
    });

    it('answers 500 when the handler throws', async () => {
      const sip = adapter();
      sip.onMessage(async () => {
        throw new Error('database down');
      });
      await sip.start();
      const { response } = await fake.injectRequest(inbound);
      expect(response.startLine).toBe('SIP/2.0 500 Server Internal Error');
    });

    it('answers 503 while no handler is registered', async () => {
      await started();
      const { response } = await fake.injectRequest(inbound);
      expect(response.startLine).toBe('SIP/2.0 503 Service Unavailable');
    });

    it('delivers again after a reconnect', async () => {
      const sip = adapter();
      sip.onMessage(async () => ({ status: 200 }));
      await sip.start();
      await fake.restart({ downMs: 100 });
      await waitUntil(() => sip.isReady() && fake.routedConnections('message') === 1);
      const { response } = await fake.injectRequest(inbound);
      expect(response.startLine).toBe('SIP/2.0 200 OK');
    });
  });
});

async function waitForSentRequest(): Promise<string> {
  await waitUntil(() => fake.sentRequests.length > 0);
  return fake.sentRequests[fake.sentRequests.length - 1]!.txnId;
}
