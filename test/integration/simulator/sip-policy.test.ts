// The simulator's answers to MESSAGEs from "our service" (a native SIP adapter): policies and SMSC validation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('answer policy', () => {
  it('answers 200 by default, then the fixed status set at runtime, then recovers', async () => {
    expect((await h.send({})).status).toBe(200);
    h.simulator.setPolicy({ answer: 500 });
    expect(await h.send({})).toMatchObject({ status: 500, reason: 'Server Internal Error', local: false });
    h.simulator.setPolicy({ answer: 480 });
    expect((await h.send({})).status).toBe(480);
    h.simulator.setPolicy({ answer: 200 });
    expect((await h.send({})).status).toBe(200);
    expect(h.simulator.stats().answered).toEqual({ 200: 2, 500: 1, 480: 1 });
  });

  it('stays silent, so the sender times out locally with 408, and records the silence', async () => {
    h.simulator.setPolicy({ answer: 'silence' });
    expect(await h.send({})).toEqual({ status: 408, reason: 'Request Timeout', headers: [], local: true });
    const [received] = h.simulator.received();
    expect(received?.outcome).toEqual({ kind: 'silence' });
    // Retransmissions (Timer E) were absorbed: one MESSAGE recorded, not one per copy.
    expect(h.simulator.stats()).toMatchObject({ received: 1, silenced: 1, stored: 0 });
  });

  it('draws each answer of a mix from its weights', async () => {
    h.simulator.setPolicy({ answer: { 200: 90, 500: 5, silence: 5 } });
    h.randoms.push(0.1, 0.92, 0.97, 0.5);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await h.send({})).status);
    expect(statuses).toEqual([200, 500, 408, 200]);
  });

  it('answers after the configured latency', async () => {
    h.simulator.setPolicy({ answer: 202, latencyMs: 30 });
    const sent = Date.now();
    expect((await h.send({})).status).toBe(202);
    // A lower bound only: the answer cannot come before the latency elapsed.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(25);
  });

  it('refuses an invalid policy and keeps the old one', async () => {
    expect(() => h.simulator.setPolicy({ answer: 100 })).toThrow('Bad policy answer "100"');
    expect((await h.send({})).status).toBe(200);
  });
});

describe('SMSC validation of received MESSAGEs', () => {
  it('answers 500 to a To user with a leading +', async () => {
    const response = await h.send({ to: `sip:+447700900123@127.0.0.1:${h.simPort}` });
    expect(response.status).toBe(500);
    expect(h.simulator.received()[0]?.outcome).toEqual({
      kind: 'rejected', status: 500, reason: 'Destination "+447700900123" must be 1 to 20 characters of 0-9 * # a b c',
    });
  });

  it('sends NO response for a non-integer X-SMS-CODING or X-REG-DELIVERY, or an odd-length X-SMS-UDH', async () => {
    const bad: Array<[string, string]> = [['X-SMS-CODING', '8bit'], ['X-REG-DELIVERY', 'yes'], ['X-SMS-UDH', '05000301020']];
    for (const header of bad) {
      expect(await h.send({ headers: [header] })).toMatchObject({ status: 408, local: true });
    }
    expect(h.simulator.received().map((m) => m.outcome)).toEqual([
      { kind: 'no-response', reason: 'X-SMS-CODING "8bit" is not an integer' },
      { kind: 'no-response', reason: 'X-REG-DELIVERY "yes" is not an integer' },
      { kind: 'no-response', reason: 'X-SMS-UDH "05000301020" has an odd length' },
    ]);
    expect(h.simulator.stats().noResponse).toBe(3);
  });

  it('answers 500 to an unparsable X-SMS-VALIDITY and 200 to one in the SMSC format', async () => {
    expect((await h.send({ headers: [['X-SMS-VALIDITY', 'tomorrow']] })).status).toBe(500);
    expect((await h.send({ headers: [['X-SMS-VALIDITY', '2024-06-15 14:37:05']] })).status).toBe(200);
    expect((await h.send({ headers: [['X-SMS-VALIDITY', '02024-37-15 02:37:05']] })).status).toBe(200);
  });

  it('assigns 10-digit message ids from a counter to stored messages only', async () => {
    await h.send({});
    h.simulator.setPolicy({ answer: 500 });
    await h.send({});
    h.simulator.setPolicy({});
    await h.send({ headers: [['X-SMS-CODING', '2'], ['X-SMS-UDH', '050003a70201']] });
    expect(h.simulator.received().map((m) => m.messageId)).toEqual(['0000000001', null, '0000000002']);
  });

  it('answers OPTIONS 200, and not at all during a silent outage', async () => {
    const probe = { requestUri: h.simUri, from: `sip:probe@127.0.0.1:${h.servicePort}`, to: h.simUri, headers: [], contentType: '', body: Buffer.alloc(0) };
    expect((await h.service.request('OPTIONS', probe)).status).toBe(200);
    h.simulator.setPolicy({ answer: 'silence' });
    expect(await h.service.request('OPTIONS', probe)).toMatchObject({ status: 408, local: true });
    expect(h.simulator.received()).toEqual([]);
  });
});
