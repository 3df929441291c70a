import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServerTransaction } from './server-transaction.js';

const timers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

function harness(reliable: boolean) {
  const sent: string[] = [];
  let terminatedAt: number | undefined;
  const transaction = new ServerTransaction({
    reliable,
    timers,
    send: (bytes) => sent.push(bytes.toString()),
    onTerminated: () => (terminatedAt = Date.now()),
  });
  return { transaction, sent, terminated: () => terminatedAt };
}

describe('ServerTransaction (RFC 3261 §17.2.2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('discards retransmissions while Trying, then re-sends the final response until Timer J (64*T1) on UDP', () => {
    const h = harness(false);
    h.transaction.receiveRetransmission();
    expect(h.sent).toEqual([]);
    h.transaction.respond(200, Buffer.from('SIP/2.0 200 OK'));
    h.transaction.receiveRetransmission();
    h.transaction.receiveRetransmission();
    expect(h.sent).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    vi.advanceTimersByTime(31_999);
    expect(h.terminated()).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(h.terminated()).toBe(32_000);
  });

  it('re-sends the last provisional response while Proceeding and ignores a second final response', () => {
    const h = harness(false);
    h.transaction.respond(100, Buffer.from('100'));
    h.transaction.receiveRetransmission();
    h.transaction.respond(202, Buffer.from('202'));
    h.transaction.respond(500, Buffer.from('500'));
    h.transaction.receiveRetransmission();
    expect(h.sent).toEqual(['100', '100', '202', '202']);
  });

  it('TCP: Timer J is 0', () => {
    const h = harness(true);
    h.transaction.respond(200, Buffer.from('200'));
    vi.advanceTimersByTime(0);
    expect(h.terminated()).toBe(0);
  });
});
