// The demo echo receiver (signature check, TwiML echo, 204 for status callbacks) and the simulator's HTTP
// control API (POST /mo reaching our service, POST /policy), over real sockets on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader } from '../../../src/sip/port.js';
import { createControlApi } from '../../../src/simulator/control-api.js';
import { createEchoReceiver, type EchoReceiver } from '../../../src/simulator/echo-receiver.js';
import type { HttpFraming } from '../../../src/simulator/http-helpers.js';
import { computeTwilioSignature } from '../../../src/webhooks/signature.js';
import { startHarness, type Harness } from './harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echo(framing: HttpFraming, reply: 'echo' | 'none' = 'echo'): Promise<{ receiver: EchoReceiver; base: string }> {
  const receiver = createEchoReceiver({ listen: { host: '127.0.0.1', port: 0 }, authToken: 'secret-token', reply, framing });
  const { port } = await receiver.start();
  cleanups.push(() => receiver.stop());
  return { receiver, base: `http://127.0.0.1:${port}` };
}

function signedPost(url: string, params: Record<string, string>, token = 'secret-token'): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeTwilioSignature({ authToken: token, url, params }) },
    body: new URLSearchParams(params).toString(),
  });
}

// Both framings: node:http (the demo) and the minimal one the bench uses (--lean-http) answer alike.
describe.each<HttpFraming>(['node', 'minimal'])('echo receiver (%s framing)', (framing) => {
  it('answers a signed inbound webhook with an escaped TwiML echo', async () => {
    const { receiver, base } = await echo(framing);
    const response = await signedPost(`${base}/sms`, { From: '+447700900123', To: '+14155550100', Body: 'Tom & <Jerry>', SmsStatus: 'received' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Echo: Tom &amp; &lt;Jerry&gt;</Message></Response>');
    expect(receiver.requests()[0]).toMatchObject({ kind: 'inbound', signatureValid: true, status: 200, params: { Body: 'Tom & <Jerry>' } });
  });

  it('answers status callbacks 204 and counts them by MessageStatus; --reply none gives an empty Response', async () => {
    const { receiver, base } = await echo(framing, 'none');
    expect((await signedPost(`${base}/status`, { MessageSid: 'SM1', MessageStatus: 'delivered', SmsStatus: 'delivered' })).status).toBe(204);
    const inbound = await signedPost(`${base}/sms`, { Body: 'hi' });
    expect(await inbound.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(receiver.stats()).toEqual({ requests: 2, inbound: 1, statusCallbacks: 1, invalidSignatures: 0, statuses: { delivered: 1 } });
    const stats = await (await fetch(`${base}/stats`)).json();
    expect(stats).toEqual(receiver.stats());
  });

  it('refuses a wrong signature with 403, and checks GET webhooks over the full URL', async () => {
    const { receiver, base } = await echo(framing);
    expect((await signedPost(`${base}/sms`, { Body: 'x' }, 'other-token')).status).toBe(403);
    const url = `${base}/sms?Body=hello&From=%2B1555`;
    const get = await fetch(url, { headers: { 'x-twilio-signature': computeTwilioSignature({ authToken: 'secret-token', url, params: {} }) } });
    expect(await get.text()).toContain('<Message>Echo: hello</Message>');
    expect(receiver.stats()).toMatchObject({ requests: 2, inbound: 1, invalidSignatures: 1 });
  });
});

describe.each<HttpFraming>(['node', 'minimal'])('control API (%s framing)', (framing) => {
  let h: Harness;

  it('sends an MO on POST /mo, switches policy on POST /policy, and reports 400 for bad input', async () => {
    h = await startHarness();
    cleanups.push(() => h.close());
    const control = createControlApi({ simulator: h.simulator, listen: { host: '127.0.0.1', port: 0 }, framing });
    const { port } = await control.start();
    cleanups.push(() => control.stop());
    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });

    const mo = await post('/mo', { from: '447700900123', to: '14155550100', text: 'Привет', coding: 2 });
    expect(await mo.json()).toEqual({ responses: [{ status: 200, reason: 'OK', local: false }] });
    expect(getHeader(h.inbox[0]!.headers, 'X-SMS-CODING')).toBe('2');

    expect(await (await post('/policy', { answer: 503 })).json()).toEqual({ answer: 503 });
    expect((await h.send({})).status).toBe(503);

    const bad = await post('/policy', { answer: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Bad policy answer "sometimes": expected a final status 200..699 or "silence"' });
    expect((await post('/mo', { from: '1', to: '2' })).status).toBe(400);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);

    const received = (await (await fetch(`${base}/received`)).json()) as unknown[];
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ outcome: { kind: 'answered', status: 503 }, text: 'Hello world from the test' });
  });
});
