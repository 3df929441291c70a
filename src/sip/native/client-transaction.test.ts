import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientTransaction } from './client-transaction.js';
import type { SipResponse } from './sip-message.js';

const timers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };
const response = (status: number): SipResponse => ({ kind: 'response', status, reason: 'x', headers: [], body: Buffer.alloc(0) });

function harness(reliable: boolean) {
  const sentAt: number[] = [];
  const finals: Array<SipResponse | null> = [];
  let terminatedAt: number | undefined;
  const transaction = new ClientTransaction({
    reliable,
    timers,
    transmit: () => sentAt.push(Date.now()),
    onFinal: (r) => finals.push(r),
    onTerminated: () => (terminatedAt = Date.now()),
  });
  return { transaction, sentAt, finals, terminated: () => terminatedAt };
}

describe('ClientTransaction (RFC 3261 §17.1.2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('UDP: Timer E doubles from T1 up to T2, Timer F fires at 64*T1 with no response', () => {
    const h = harness(false);
    h.transaction.start();
    vi.advanceTimersByTime(32_000);
    expect(h.sentAt).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.finals).toEqual([null]);
    expect(h.terminated()).toBe(32_000);
    expect(h.transaction.currentState).toBe('terminated');
  });

  it('UDP: after a 1xx it keeps retransmitting every T2 and still times out at 64*T1', () => {
    const h = harness(false);
    h.transaction.start();
    vi.advanceTimersByTime(600); // first retransmission at 500
    h.transaction.receive(response(100));
    expect(h.transaction.currentState).toBe('proceeding');
    vi.advanceTimersByTime(32_000 - 600);
    // Timer E still armed for 1000 ms from 500 -> fires at 1500, then every T2.
    expect(h.sentAt).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500]);
    expect(h.finals).toEqual([null]);
  });

  it('UDP: a final response stops retransmissions, is reported once and absorbs retransmissions for T4', () => {
    const h = harness(false);
    h.transaction.start();
    vi.advanceTimersByTime(700);
    const ok = response(200);
    h.transaction.receive(ok);
    h.transaction.receive(response(200));
    h.transaction.receive(response(500));
    expect(h.finals).toEqual([ok]);
    expect(h.transaction.currentState).toBe('completed');
    vi.advanceTimersByTime(4999);
    expect(h.terminated()).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(h.terminated()).toBe(5700);
    expect(h.sentAt).toEqual([0, 500]);
  });

  it('TCP: no retransmissions, Timer K = 0, Timer F still applies', () => {
    const h = harness(true);
    h.transaction.start();
    vi.advanceTimersByTime(31_999);
    expect(h.sentAt).toEqual([0]);
    expect(h.finals).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.finals).toEqual([null]);

    const other = harness(true);
    other.transaction.start();
    other.transaction.receive(response(486));
    vi.advanceTimersByTime(0);
    expect(other.transaction.currentState).toBe('terminated');
  });

  it('abort ends the transaction silently', () => {
    const h = harness(false);
    h.transaction.start();
    h.transaction.abort();
    vi.advanceTimersByTime(40_000);
    expect(h.sentAt).toEqual([0]);
    expect(h.finals).toEqual([]);
    expect(h.terminated()).toBe(0);
  });
});
