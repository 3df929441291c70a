import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { callWebhook, type CallWebhookOptions } from '../../../src/webhooks/http-caller.js';
import { inboundSmsParams } from '../../../src/webhooks/webhook-params.js';
import { parseTwiml } from '../../../src/webhooks/twiml.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './receiver.js';

const AUTH_TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

const params = inboundSmsParams({
  messageSid: 'SM0123456789abcdef0123456789abcdef',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  from: '+447700900123',
  to: '+447700900999',
  body: 'Grüße 👋🏽 a+b & c=d 100% ok?',
  numSegments: 2,
  smscId: 'esme-1',
  deliveryTime: '02024-37-15 02:37:05',
});

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.respondWith((_request, res) => res.writeHead(204).end());
});

function options(overrides: Partial<CallWebhookOptions> & { url: string }): CallWebhookOptions {
  return {
    method: 'POST',
    params,
    authToken: AUTH_TOKEN,
    idempotencyToken: 'SM0123456789abcdef0123456789abcdef-inbound',
    urlPolicy: { allowPrivate: true },
    ...overrides,
  };
}

/** What a customer's server does with twilio-node: POST validates configured URL + body params, GET the full URL. */
function validates(request: ReceivedRequest, configuredUrl: string): boolean {
  const signature = String(request.headers['x-twilio-signature'] ?? '');
  if (request.method === 'GET') return twilio.validateRequest(AUTH_TOKEN, signature, request.url, {});
  return twilio.validateRequest(AUTH_TOKEN, signature, configuredUrl, request.params);
}

describe('callWebhook against a real HTTP receiver', () => {
  it('POSTs a signed form body with the Twilio headers', async () => {
    const url = `${receiver.baseUrl}/sms`;
    const outcome = await callWebhook(options({ url }));
    expect(outcome).toMatchObject({ ok: true, httpStatus: 204, body: '', errorCode: null, error: null, finalUrl: url });
    const [request] = receiver.requests;
    expect(request).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(request!.params).toEqual(params);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(request!.headers['user-agent']).toBe('TwilioProxy/1.1');
    expect(request!.headers.accept).toBe('*/*');
    expect(request!.headers['i-twilio-idempotency-token']).toBe('SM0123456789abcdef0123456789abcdef-inbound');
    expect(validates(request!, url)).toBe(true);
    expect(twilio.validateRequest(AUTH_TOKEN, String(request!.headers['x-twilio-signature']), url, { ...params, Body: 'x' })).toBe(false);
  });

  it('POST keeps the configured query string and signs it', async () => {
    const url = `${receiver.baseUrl}/sms?tenant=acme&mode=a%20b`;
    await callWebhook(options({ url }));
    const [request] = receiver.requests;
    expect(request!.url).toBe(url);
    expect(validates(request!, url)).toBe(true);
  });

  it("POST signs a configured URL the client re-encodes on the wire (' becomes %27)", async () => {
    const url = `${receiver.baseUrl}/sms?name=O'Brien&x=a+b`;
    await callWebhook(options({ url }));
    const [request] = receiver.requests;
    expect(request!.url).toBe(`${receiver.baseUrl}/sms?name=O%27Brien&x=a+b`);
    // Both receiver styles pass: validating the URL as received, and validating the configured string.
    expect(validates(request!, request!.url)).toBe(true);
    expect(validates(request!, url)).toBe(true);
  });

  it('GET appends the params to the configured query string and signs the full URL', async () => {
    const url = `${receiver.baseUrl}/sms?tenant=acme`;
    const outcome = await callWebhook(options({ url, method: 'GET' }));
    expect(outcome.ok).toBe(true);
    const [request] = receiver.requests;
    expect(request!.method).toBe('GET');
    expect(request!.rawBody).toBe('');
    const query = new URL(request!.url).searchParams;
    expect(query.get('tenant')).toBe('acme');
    expect(query.get('Body')).toBe(params.Body);
    expect(query.get('SmscDeliveryTime')).toBe('02024-37-15 02:37:05');
    expect(validates(request!, url)).toBe(true);
  });

  it('repeated calls carry the same idempotency token and equal signatures', async () => {
    const url = `${receiver.baseUrl}/sms`;
    await callWebhook(options({ url }));
    await callWebhook(options({ url }));
    const [first, second] = receiver.requests;
    expect(first!.headers['i-twilio-idempotency-token']).toBe(second!.headers['i-twilio-idempotency-token']);
    expect(first!.headers['x-twilio-signature']).toBe(second!.headers['x-twilio-signature']);
    expect(validates(second!, url)).toBe(true);
  });

  it('returns a TwiML reply with its Content-Type, ready for the parser', async () => {
    const response = new twilio.twiml.MessagingResponse();
    response.message('Thanks! Ärger & 👍');
    receiver.respondWith((_request, res) => res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(response.toString()));
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/sms` }));
    expect(outcome).toMatchObject({ ok: true, httpStatus: 200, contentType: 'text/xml; charset=utf-8', truncated: false });
    expect(outcome.body).toBe(response.toString());
    expect(parseTwiml(outcome.body).messages).toEqual([{ body: 'Thanks! Ärger & 👍', media: [] }]);
  });

  it('reports a 500 as not ok with the status and 11217', async () => {
    receiver.respondWith((_request, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'));
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/sms` }));
    expect(outcome).toMatchObject({ ok: false, httpStatus: 500, errorCode: 11217, error: 'HTTP 500', body: 'boom' });
  });

  it('times out with 11200 when the receiver never answers', async () => {
    receiver.respondWith(() => undefined);
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/hang`, timeoutMs: 200 }));
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11200, error: 'Timed out after 200 ms' });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(150);
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out with 11200 when the body stalls after the headers', async () => {
    receiver.respondWith((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<Response>');
    });
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/stall`, timeoutMs: 200 }));
    expect(outcome).toMatchObject({ ok: false, httpStatus: 200, errorCode: 11200, contentType: 'text/xml' });
  });

  it('reports connection refused as 11205', async () => {
    const closedPort = await freePort();
    const outcome = await callWebhook(options({ url: `http://127.0.0.1:${closedPort}/sms` }));
    expect(outcome.ok).toBe(false);
    expect(outcome.errorCode).toBe(11205);
    expect(outcome.error).toContain('ECONNREFUSED');
  });

  it('follows a real redirect and the receiver validates the re-signed request', async () => {
    receiver.respondWith((request, res) => {
      if (request.url.endsWith('/old')) res.writeHead(307, { location: '/new?v=2' }).end();
      else res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
    });
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/old` }));
    expect(outcome).toMatchObject({ ok: true, httpStatus: 200, finalUrl: `${receiver.baseUrl}/new?v=2` });
    expect(receiver.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(validates(receiver.requests[1]!, `${receiver.baseUrl}/new?v=2`)).toBe(true);
  });

  it('reuses one keep-alive connection for consecutive calls, redirects included', async () => {
    receiver.respondWith((request, res) => {
      if (request.url.endsWith('/old')) res.writeHead(302, { location: '/new' }).end('moved');
      else res.writeHead(204).end();
    });
    await callWebhook(options({ url: `${receiver.baseUrl}/old` }));
    await callWebhook(options({ url: `${receiver.baseUrl}/new` }));
    const ports = receiver.requests.map((r) => r.remotePort);
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
  });

  it('reads at most 64 kB + 1 of a large answer, then drops that connection and carries on', async () => {
    receiver.respondWith((_request, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end('x'.repeat(300_000)));
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/big` }));
    expect(outcome).toMatchObject({ ok: true, httpStatus: 200, truncated: true, contentType: 'text/xml' });
    expect(outcome.body).toHaveLength(65_537);
    receiver.respondWith((_request, res) => res.writeHead(204).end());
    const next = await callWebhook(options({ url: `${receiver.baseUrl}/sms` }));
    expect(next).toMatchObject({ ok: true, httpStatus: 204 });
    const [big, small] = receiver.requests;
    expect(small!.remotePort).not.toBe(big!.remotePort);
  });

  it('stops a call in flight when the signal fires, with 11200', async () => {
    const controller = new AbortController();
    receiver.respondWith(() => controller.abort());
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/hang`, signal: controller.signal }));
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11200, error: 'Request aborted' });
  });

  it('reports an answer that is not HTTP as 11206', async () => {
    // resume(): read the request, so that the client's close is seen and server.close() can finish.
    const server = await listen(createServer((socket) => socket.resume().end('HELLO THERE\r\n\r\n')));
    try {
      const { port } = server.address() as { port: number };
      const outcome = await callWebhook(options({ url: `http://127.0.0.1:${port}/sms` }));
      expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11206 });
      expect(outcome.error).toContain('HPE_');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses 127.0.0.1 when private addresses are not allowed, without connecting', async () => {
    const outcome = await callWebhook(options({ url: `${receiver.baseUrl}/sms`, urlPolicy: { allowPrivate: false } }));
    expect(outcome).toMatchObject({ ok: false, errorCode: 11210, httpStatus: null });
    expect(receiver.requests).toHaveLength(0);
  });
});

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A port that was free a moment ago and has nothing listening on it now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
