// Receipts the simulator sends back over SIP (spec §6): exact header set, broken dates, body, X-REG-DELIVERY.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReceiptDate } from '../../../src/encoding/index.js';
import { getHeader } from '../../../src/sip/port.js';
import { formatSmscDate } from '../../../src/simulator/index.js';
import { headerNames, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const submitWith = (registered: string): Promise<unknown> => h.send({ headers: [['X-REG-DELIVERY', registered]] });

describe('delivery receipts over SIP', () => {
  it('sends a DELIVRD receipt built exactly like the SMSC (no From tag, CSeq 2, broken dates, no X-SMSC-ID)', async () => {
    await submitWith('1');
    const receipt = await waitFor('the receipt', () => h.inbox[0]);
    const arrivedAt = h.simulator.received()[0]!.arrivedAt;
    expect(receipt.requestUri).toBe(`sip:447700900456@127.0.0.1:${h.servicePort}`);
    expect(receipt.from).toBe(`<sip:447700900123@127.0.0.1:${h.simPort}>`);
    expect(receipt.to).toBe(`<sip:447700900456@127.0.0.1:${h.servicePort}>`);
    expect(receipt.cseq).toBe('2 MESSAGE');
    expect(headerNames(receipt)).toEqual([
      'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type',
      'X-SMS-CODING', 'X-DELIVERY_TIME', 'X-SMS-VALIDITY', 'Content-Length',
    ]);
    expect(getHeader(receipt.headers, 'Content-Type')).toBe('text/plain');
    expect(getHeader(receipt.headers, 'Max-Forwards')).toBe('70');
    expect(getHeader(receipt.headers, 'X-SMS-CODING')).toBe('0');
    expect(getHeader(receipt.headers, 'X-DELIVERY_TIME')).toBe(formatSmscDate(arrivedAt));
    expect(getHeader(receipt.headers, 'X-SMS-VALIDITY')).toMatch(/^0\d{4}-(\d{2})-\d{2} (0[1-9]|1[0-2]):\1:\d{2}$/);
    const body = receipt.body.toString('utf8');
    const match = /^id:0000000001 sub:001 dlvrd:001 submit date:(\d{10}) done date:(\d{10}) stat:DELIVRD err:000 text:Hello world from the$/.exec(body);
    expect(match, body).not.toBeNull();
    expect(match![1]).toBe(formatReceiptDate(arrivedAt));
    await waitFor('the 200 for the receipt', () => h.simulator.stats().receipts.acknowledged === 1);
    expect(h.simulator.stats().receipts).toEqual({ sent: 1, acknowledged: 1, failed: 0, retries: 0, skipped: 0 });
  });

  it('sends UNDELIV with the configured err when the outcome is undelivered', async () => {
    h.simulator.setReceipts({ outcome: 'undelivered', undeliveredErr: 5 });
    await submitWith('1');
    const receipt = await waitFor('the receipt', () => h.inbox[0]);
    expect(receipt.body.toString('utf8')).toMatch(/^id:0000000001 sub:001 dlvrd:000 submit date:\d{10} done date:\d{10} stat:UNDELIV err:005 text:Hello world from the$/);
  });

  it('honours X-REG-DELIVERY 2 (failures only) and 3 (successes only), and sends nothing without it', async () => {
    await submitWith('2'); // delivered: skipped
    await submitWith('3'); // delivered: sent
    await h.send({}); // none asked: skipped
    await waitFor('receipt decisions', () => h.simulator.stats().receipts.skipped === 2 && h.inbox.length === 1);
    expect(h.inbox[0]!.body.toString('utf8')).toMatch(/^id:0000000002 .* stat:DELIVRD /);
    h.simulator.setReceipts({ outcome: 'undelivered' });
    await submitWith('3'); // undelivered: skipped
    await submitWith('2'); // undelivered: sent
    await waitFor('receipt decisions', () => h.simulator.stats().receipts.skipped === 3 && h.inbox.length === 2);
    expect(h.inbox[1]!.body.toString('utf8')).toMatch(/^id:0000000005 .* stat:UNDELIV err:001 /);
  });

  it('draws delivered/undelivered from deliveredPercent', async () => {
    h.simulator.setReceipts({ outcome: { deliveredPercent: 70 } });
    await submitWith('1');
    h.randoms.push(0.69); // policy draw is not consumed for a fixed answer; this is the delivery draw
    await waitFor('first receipt', () => h.inbox[0]);
    h.randoms.push(0.7);
    await submitWith('1');
    await waitFor('second receipt', () => h.inbox[1]);
    expect(h.inbox.map((m) => /stat:(\w+)/.exec(m.body.toString('utf8'))![1])).toEqual(['DELIVRD', 'UNDELIV']);
  });

  it('retries a receipt the service answered 4xx, and gives up on 5xx', async () => {
    h.replies.push(480, 200);
    await submitWith('1');
    await waitFor('acknowledged receipt', () => h.simulator.stats().receipts.acknowledged === 1);
    expect(h.inbox.map((m) => m.body.toString('utf8'))).toEqual([h.inbox[0]!.body.toString('utf8'), h.inbox[0]!.body.toString('utf8')]);
    expect(h.inbox[0]!.callId).not.toBe(h.inbox[1]!.callId);
    h.replies.push(500);
    await submitWith('1');
    await waitFor('failed receipt', () => h.simulator.stats().receipts.failed === 1);
    expect(h.inbox).toHaveLength(3);
    expect(h.simulator.stats().receipts).toMatchObject({ sent: 2, acknowledged: 1, failed: 1, retries: 1 });
  });
});
