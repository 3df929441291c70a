// MO messages the simulator sends to our service (spec §5): single GSM, UCS-2, multipart with X-SMS-UDH.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getHeader } from '../../../src/sip/port.js';
import { formatSmscDate } from '../../../src/simulator/index.js';
import { headerNames, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const xHeaders = (index: number): Array<readonly [string, string]> => h.inbox[index]!.headers.filter(([name]) => name.startsWith('X-'));

describe('MO over SIP', () => {
  it('sends a single GSM message as the SMSC does', async () => {
    const before = new Date();
    const responses = await h.simulator.sendMo({ from: '447700900123', to: '14155550100', text: 'Hello!' });
    expect(responses.map((r) => r.status)).toEqual([200]);
    const [mo] = h.inbox;
    expect(mo!.requestUri).toBe(`sip:14155550100@127.0.0.1:${h.servicePort}`);
    expect(mo!.from).toBe(`<sip:447700900123@127.0.0.1:${h.simPort}>`);
    expect(mo!.cseq).toBe('2 MESSAGE');
    expect(headerNames(mo!)).toEqual([
      'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type',
      'X-SMS-CODING', 'X-DELIVERY_TIME', 'X-SMS-VALIDITY', 'Content-Length',
    ]);
    expect(getHeader(mo!.headers, 'Content-Type')).toBe('text/plain');
    expect(getHeader(mo!.headers, 'X-SMS-CODING')).toBe('0');
    // Submit time in the broken format; the second may tick between `before` and the send.
    expect([formatSmscDate(before), formatSmscDate(new Date())]).toContain(getHeader(mo!.headers, 'X-DELIVERY_TIME'));
    expect(mo!.body.toString('utf8')).toBe('Hello!');
  });

  it('sends UCS-2 text as UTF-8 with X-SMS-CODING 2, and X-SMSC-ID first when asked', async () => {
    await h.simulator.sendMo({ from: '447700900123', to: '14155550100', text: 'Привет мир', smscId: 'partner-esme' });
    const [mo] = h.inbox;
    expect(xHeaders(0).map(([name]) => name)).toEqual(['X-SMSC-ID', 'X-SMS-CODING', 'X-DELIVERY_TIME', 'X-SMS-VALIDITY']);
    expect(getHeader(mo!.headers, 'X-SMSC-ID')).toBe('partner-esme');
    expect(getHeader(mo!.headers, 'X-SMS-CODING')).toBe('2');
    expect(mo!.body).toEqual(Buffer.from('Привет мир', 'utf8'));
  });

  it('splits a long GSM text at 153 septets, one MESSAGE per segment with X-SMS-UDH', async () => {
    const text = 'a'.repeat(153) + 'b'.repeat(47);
    const responses = await h.simulator.sendMo({ from: '447700900123', to: '14155550100', text });
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const udhs = h.inbox.map((m) => getHeader(m.headers, 'X-SMS-UDH'));
    expect(udhs).toEqual(['05000301' + '0201', '05000301' + '0202']);
    expect(h.inbox.map((m) => m.body.toString('utf8'))).toEqual(['a'.repeat(153), 'b'.repeat(47)]);
  });

  it('splits UCS-2 at 67 units with a new reference, and can send parts out of order', async () => {
    await h.simulator.sendMo({ from: '1', to: '2', text: 'x' });
    const text = 'Ж'.repeat(150);
    await h.simulator.sendMo({ from: '447700900123', to: '14155550100', text, outOfOrder: true });
    const parts = h.inbox.slice(1);
    expect(parts.map((m) => getHeader(m.headers, 'X-SMS-UDH'))).toEqual(['050003020303', '050003020302', '050003020301']);
    expect(parts.map((m) => m.body.toString('utf8').length)).toEqual([16, 67, 67]);
    expect(parts.every((m) => getHeader(m.headers, 'X-SMS-CODING') === '2')).toBe(true);
  });

  it('cuts into exactly N parts when asked, and one MESSAGE without UDH for segments 1', async () => {
    await h.simulator.sendMo({ from: '1', to: '2', text: 'abcdefghij', segments: 3 });
    expect(h.inbox.map((m) => [getHeader(m.headers, 'X-SMS-UDH'), m.body.toString('utf8')])).toEqual([
      ['050003010301', 'abcd'], ['050003010302', 'efgh'], ['050003010303', 'ij'],
    ]);
    await h.simulator.sendMo({ from: '1', to: '2', text: 'z'.repeat(400), segments: 1 });
    expect(getHeader(h.inbox[3]!.headers, 'X-SMS-UDH')).toBeUndefined();
    expect(h.inbox[3]!.body.length).toBe(400);
  });

  it('stops at the first non-2xx segment, like the SMSC queue per destination', async () => {
    h.replies.push(200, 480);
    const responses = await h.simulator.sendMo({ from: '1', to: '2', text: 'q'.repeat(400) });
    expect(responses.map((r) => r.status)).toEqual([200, 480]);
    expect(h.inbox).toHaveLength(2);
    expect(h.simulator.stats().mo).toEqual({ messages: 1, parts: 2, responses: { 200: 1, 480: 1 } });
  });

  it('runs an MO load at a rate and reports per-status counts', async () => {
    h.replies.push(200, 500);
    const stats = await h.simulator.startMoLoad({ ratePerSecond: 200, count: 5, from: '1', to: '2', text: 'load' });
    expect(stats).toMatchObject({ messages: 5, succeeded: 4, failed: 1, responses: { 200: 4, 500: 1 } });
    expect(h.inbox).toHaveLength(5);
  });
});
