import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { fakeHttpTransport, type SentRequest } from '../../test/fakes/fake-http-transport.js';
import { callWebhook, type CallWebhookOptions } from './http-caller.js';

const base: Omit<CallWebhookOptions, 'url' | 'transport'> = {
  method: 'POST',
  params: { Body: 'hi', From: '+15551234567' },
  authToken: 'tok',
  idempotencyToken: 'idem-1',
  urlPolicy: { allowPrivate: false, lookup: async () => [{ address: '93.184.216.34', family: 4 }] },
};

const redirect = (location: string, status = 302) => () => new Response(null, { status, headers: { location } });
const twiml = () => new Response('<Response/>', { status: 200, headers: { 'content-type': 'text/xml' } });

describe('callWebhook redirects', () => {
  it('follows a redirect and re-signs for the new URL', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({ 'https://a.example/one': redirect('/two?x=1', 307), 'https://a.example/two?x=1': twiml }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/one', transport });
    expect(outcome).toMatchObject({ ok: true, httpStatus: 200, body: '<Response/>', finalUrl: 'https://a.example/two?x=1', errorCode: null });
    expect(seen.map((s) => [s.method, s.url])).toEqual([['POST', 'https://a.example/one'], ['POST', 'https://a.example/two?x=1']]);
    const last = seen[1]!;
    expect(twilio.validateRequest('tok', last.headers['x-twilio-signature']!, last.url, base.params)).toBe(true);
    expect(last.headers['i-twilio-idempotency-token']).toBe('idem-1');
  });

  it('turns a 303 into a GET carrying the params in the query', async () => {
    const seen: SentRequest[] = [];
    const target = 'https://a.example/result?Body=hi&From=%2B15551234567';
    const transport = fakeHttpTransport({ 'https://a.example/one': redirect('https://a.example/result', 303), [target]: twiml }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/one', transport });
    expect(outcome.ok).toBe(true);
    expect(seen[1]).toMatchObject({ method: 'GET', url: target, body: undefined });
  });

  it('gives up with 11215 after maxRedirects', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({ 'https://a.example/loop': redirect('https://a.example/loop') }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/loop', maxRedirects: 2, transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: 302, errorCode: 11215, error: 'More than 2 redirects' });
    expect(seen).toHaveLength(3);
  });

  it('applies the URL policy to redirect targets (no SSRF through a redirect)', async () => {
    const seen: SentRequest[] = [];
    const transport = fakeHttpTransport({ 'https://a.example/one': redirect('http://169.254.169.254/latest/meta-data') }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/one', transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11210 });
    expect(outcome.error).toBe('Refusing to call private address 169.254.169.254');
    expect(seen).toHaveLength(1);
  });

  it('reports an unparsable Location as 11206', async () => {
    const transport = fakeHttpTransport({ 'https://a.example/one': redirect('http://[bad') }, []);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/one', transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: 302, errorCode: 11206, error: 'Invalid Location header "http://[bad"' });
  });

  it('refuses a private URL by default without sending anything', async () => {
    const seen: SentRequest[] = [];
    const { urlPolicy: _ignored, ...withoutPolicy } = base;
    const outcome = await callWebhook({ ...withoutPolicy, url: 'http://127.0.0.1:8080/hook', transport: fakeHttpTransport({}, seen) });
    expect(outcome).toMatchObject({ ok: false, errorCode: 11210, httpStatus: null });
    expect(seen).toHaveLength(0);
  });
});

describe('callWebhook responses', () => {
  it('reports 11217 with the status for 4xx/5xx and keeps the body', async () => {
    const transport = fakeHttpTransport({ 'https://a.example/x': () => new Response('nope', { status: 404, headers: { 'content-type': 'text/plain' } }) }, []);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/x', transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: 404, errorCode: 11217, error: 'HTTP 404', body: 'nope', contentType: 'text/plain' });
  });

  it('decodes the body with the declared charset', async () => {
    const latin1 = Buffer.from('<Response><Message>caf\xe9</Message></Response>', 'latin1');
    const transport = fakeHttpTransport({ 'https://a.example/x': () => new Response(latin1, { headers: { 'content-type': 'text/xml; charset=ISO-8859-1' } }) }, []);
    expect((await callWebhook({ ...base, url: 'https://a.example/x', transport })).body).toBe('<Response><Message>café</Message></Response>');
  });

  it('reads at most 64 kB + 1 and flags the rest as truncated', async () => {
    const big = 'x'.repeat(200_000);
    const transport = fakeHttpTransport({ 'https://a.example/x': () => new Response(big, { headers: { 'content-type': 'text/xml' } }) }, []);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/x', transport });
    expect(outcome.body).toHaveLength(65537);
    expect(outcome.truncated).toBe(true);
    const exact = fakeHttpTransport({ 'https://a.example/x': () => new Response('y'.repeat(65536)) }, []);
    expect((await callWebhook({ ...base, url: 'https://a.example/x', transport: exact })).truncated).toBe(false);
  });

  it('reports an external abort as 11200 and sends nothing once the signal has fired', async () => {
    const seen: SentRequest[] = [];
    const controller = new AbortController();
    controller.abort();
    const transport = fakeHttpTransport({ 'https://a.example/x': twiml }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/x', signal: controller.signal, transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11200, error: 'Request aborted', finalUrl: 'https://a.example/x' });
    expect(seen).toHaveLength(0);
  });

  it('stops a call in flight when the signal fires', async () => {
    const controller = new AbortController();
    const transport = fakeHttpTransport({ 'https://a.example/x': () => new Promise<Response>(() => controller.abort()) });
    const outcome = await callWebhook({ ...base, url: 'https://a.example/x', signal: controller.signal, transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11200, error: 'Request aborted' });
  });

  it('times out the whole call, redirects included, with 11200', async () => {
    const seen: SentRequest[] = [];
    const hang = () => new Promise<Response>(() => undefined);
    const transport = fakeHttpTransport({ 'https://a.example/one': redirect('/two'), 'https://a.example/two': hang }, seen);
    const outcome = await callWebhook({ ...base, url: 'https://a.example/one', timeoutMs: 30, transport });
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11200, error: 'Timed out after 30 ms', finalUrl: 'https://a.example/two' });
    expect(seen.map((s) => s.url)).toEqual(['https://a.example/one', 'https://a.example/two']);
  });

  it('reports a refused connection as 11205 with the socket error', async () => {
    const outcome = await callWebhook({ ...base, url: 'https://a.example/nothing-here', transport: fakeHttpTransport({}) });
    expect(outcome).toMatchObject({ ok: false, httpStatus: null, errorCode: 11205, error: 'connect ECONNREFUSED a.example' });
  });
});
