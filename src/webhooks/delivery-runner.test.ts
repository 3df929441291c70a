import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from './delivery-claim.js';
import { runDelivery, type HttpSettings } from './delivery-runner.js';
import { fakeHttpTransport, type SentRequest } from '../../test/fakes/fake-http-transport.js';
import type { HttpTransport } from './http-transport.js';

const xml = (body: string, status = 200) => () => new Response(body, { status, headers: { 'content-type': 'text/xml' } });
const status = (code: number) => () => new Response(null, { status: code });

function delivery(overrides: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: '7',
    accountSid: 'AC00000000000000000000000000000001',
    messageSid: 'SM00000000000000000000000000000001',
    kind: 'sms',
    url: 'https://app.example/sms?t=1',
    method: 'POST',
    fallbackUrl: null,
    fallbackMethod: 'POST',
    params: { MessageSid: 'SM00000000000000000000000000000001', From: '+447700900123', To: '+15005550006', Body: 'hi' },
    idempotencyToken: 'token-1',
    attempts: 1,
    maxAttempts: 3,
    authToken: 'secret',
    ...overrides,
  };
}

function http(transport: HttpTransport, overrides: Partial<HttpSettings> = {}): HttpSettings {
  const lookup = async () => [{ address: '93.184.216.34', family: 4 }];
  return { timeoutMs: 1000, maxRedirects: 5, urlPolicy: { allowPrivate: false, lookup }, signal: new AbortController().signal, transport, ...overrides };
}

describe('runDelivery: status callbacks', () => {
  it('any 2xx succeeds and the body is ignored', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({ 'https://app.example/cb': xml('<not-twiml', 202) }, seen);
    const run = await runDelivery(delivery({ kind: 'status_callback', url: 'https://app.example/cb' }), http(transport));
    expect(run).toMatchObject({ verdict: 'succeeded', lastHttpStatus: 202, lastError: null, twimlEvents: [], replies: [] });
  });

  it('a 5xx is a retriable failure with 11217', async () => {
    const transport = fakeHttpTransport({ 'https://app.example/cb': status(503) }, []);
    const run = await runDelivery(delivery({ kind: 'status_callback', url: 'https://app.example/cb' }), http(transport));
    expect(run).toMatchObject({ verdict: 'retry', lastHttpStatus: 503, lastError: '11217: HTTP 503' });
    expect(run.calls).toMatchObject([{ url: 'https://app.example/cb', httpStatus: 503, errorCode: 11217, fallback: false, document: 1 }]);
  });

  it('never calls out without the account\'s auth token', async () => {
    const seen: SentRequest[] = [];
    const run = await runDelivery(delivery({ authToken: null }), http(fakeHttpTransport({}, seen)));
    expect(seen).toEqual([]);
    expect(run).toMatchObject({ verdict: 'failed', lastError: 'Account AC00000000000000000000000000000001 not found: cannot sign the request' });
  });
});

describe('runDelivery: inbound SMS', () => {
  it('collects <Message> verbs across a <Redirect> chain', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({
      'https://app.example/sms?t=1': xml('<Response><Message>one</Message><Redirect method="GET">/next</Redirect></Response>'),
      'https://app.example/next?MessageSid=SM00000000000000000000000000000001&From=%2B447700900123&To=%2B15005550006&Body=hi':
        xml('<Response><Message to="+447700900999">two</Message></Response>'),
    }, seen);
    const run = await runDelivery(delivery(), http(transport));
    expect(run.verdict).toBe('succeeded');
    expect(run.replies.map((m) => [m.body, m.to])).toEqual([['one', undefined], ['two', '+447700900999']]);
    expect(run.calls.map((c) => c.document)).toEqual([1, 2]);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
  });

  it('falls back at once with ErrorCode and ErrorUrl when the primary fails', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({ 'https://fallback.example/fb': xml('<Response><Message>backup</Message></Response>') }, seen);
    const run = await runDelivery(delivery({ fallbackUrl: 'https://fallback.example/fb' }), http(transport));
    expect(run.verdict).toBe('succeeded');
    expect(run.replies.map((m) => m.body)).toEqual(['backup']);
    const fallbackBody = new URLSearchParams(seen[1]!.body);
    expect(fallbackBody.get('ErrorCode')).toBe('11205');
    expect(fallbackBody.get('ErrorUrl')).toBe('https://app.example/sms?t=1');
    expect(run.calls.map((c) => [c.errorCode, c.fallback])).toEqual([[11205, false], [null, true]]);
  });

  it('bad TwiML from the primary triggers the fallback with 12100', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({
      'https://app.example/sms?t=1': xml('<Response><Message>unclosed</Response>'),
      'https://fallback.example/fb': status(204),
    }, seen);
    const run = await runDelivery(delivery({ fallbackUrl: 'https://fallback.example/fb' }), http(transport));
    expect(run.verdict).toBe('succeeded');
    expect(new URLSearchParams(seen[1]!.body).get('ErrorCode')).toBe('12100');
    expect(run.twimlEvents).toMatchObject([{ code: 12100, url: 'https://app.example/sms?t=1', fatal: true }]);
  });

  it('a wrong Content-Type is 12300 and is not retried', async () => {
    const transport = fakeHttpTransport({ 'https://app.example/sms?t=1': () => new Response('{"a":1}', { headers: { 'content-type': 'application/json' } }) }, []);
    const run = await runDelivery(delivery(), http(transport));
    expect(run).toMatchObject({ verdict: 'failed', lastHttpStatus: 200 });
    expect(run.lastError).toBe('12300: Invalid Content-Type: "application/json"');
    expect(run.calls[0]).toMatchObject({ httpStatus: 200, errorCode: 12300 });
  });

  it('stops after maxDocuments with 14106, and drops the messages of the chain', async () => {
    const seen: SentRequest[] = [];
    const loop = xml('<Response><Message>again</Message><Redirect>/sms?t=1</Redirect></Response>');
    const transport = fakeHttpTransport({ 'https://app.example/sms?t=1': loop }, seen);
    const run = await runDelivery(delivery(), http(transport, { maxDocuments: 3 }));
    expect(seen).toHaveLength(3);
    expect(run).toMatchObject({ verdict: 'failed', replies: [] });
    expect(run.twimlEvents.map((e) => e.code)).toEqual([14106]);
  });

  it('an HTTP failure of primary and fallback is retriable', async () => {
    const transport = fakeHttpTransport({ 'https://app.example/sms?t=1': status(500), 'https://fallback.example/fb': status(502) }, []);
    const run = await runDelivery(delivery({ fallbackUrl: 'https://fallback.example/fb' }), http(transport));
    expect(run).toMatchObject({ verdict: 'retry', lastHttpStatus: 502, lastError: '11217: HTTP 502' });
  });

  it('a run aborted by shutdown is released, not failed', async () => {
    const controller = new AbortController();
    // The primary never answers; shutdown comes while it is in flight.
    const transport = fakeHttpTransport({ 'https://app.example/sms?t=1': () => new Promise<Response>(() => controller.abort()) });
    const run = await runDelivery(delivery({ fallbackUrl: 'https://fallback.example/fb' }), http(transport, { signal: controller.signal }));
    expect(run).toMatchObject({ verdict: 'released', lastError: 'Aborted by shutdown' });
    expect(run.calls).toHaveLength(1);
  });
});

describe('runDelivery: URL policy refusals', () => {
  it('a private address refused at call time fails at once (no retries), with 11210', async () => {
    const seen: SentRequest[] = [];
    const run = await runDelivery(delivery({ kind: 'status_callback', url: 'http://[64:ff9b::a00:1]/cb' }), http(fakeHttpTransport({}, seen)));
    expect(seen).toEqual([]);
    expect(run).toMatchObject({ verdict: 'failed', lastError: '11210: Refusing to call private address 64:ff9b::a00:1' });
  });

  it('a redirect to a private address is refused finally too', async () => {
    const transport = fakeHttpTransport({
      'https://app.example/sms?t=1': () => new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest' } }),
    }, []);
    const run = await runDelivery(delivery(), http(transport));
    expect(run.verdict).toBe('failed');
    expect(run.calls.at(-1)).toMatchObject({ errorCode: 11210 });
  });

  it('a host that does not resolve is retried: DNS failures pass', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN app.example'), { code: 'EAI_AGAIN' });
    };
    const run = await runDelivery(delivery(), http(fakeHttpTransport({}, []), { urlPolicy: { allowPrivate: false, lookup } }));
    expect(run).toMatchObject({ verdict: 'retry' });
    expect(run.lastError).toMatch(/^11210: Cannot resolve app\.example/);
  });
});
