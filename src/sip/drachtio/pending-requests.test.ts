import { describe, expect, it } from 'vitest';
import { LOCAL_CONNECTION_LOST, PendingRequests, type PendingSettle } from './pending-requests.js';

describe('PendingRequests', () => {
  it('resolves a local 408 at the deadline and ignores a later answer', async () => {
    const pending = new PendingRequests();
    let handle: PendingSettle | undefined;
    const result = pending.track({ timeoutMs: 20, send: (settle) => (handle = settle) });
    expect(pending.size).toBe(1);
    await expect(result).resolves.toEqual({ status: 408, reason: 'Request Timeout', headers: [], local: true });
    expect(handle?.isOpen()).toBe(false);
    handle?.resolve({ status: 200, reason: 'OK', headers: [], local: false });
    expect(pending.size).toBe(0);
  });

  it('settles with the first answer and clears its timer', async () => {
    const pending = new PendingRequests();
    const result = pending.track({ timeoutMs: 10_000, send: (settle) => settle.resolve({ status: 202, reason: 'Accepted', headers: [['X-A', '1']], local: false }) });
    await expect(result).resolves.toEqual({ status: 202, reason: 'Accepted', headers: [['X-A', '1']], local: false });
    expect(pending.size).toBe(0);
  });

  it('turns a synchronous throw in send into a rejection', async () => {
    const pending = new PendingRequests();
    const result = pending.track({ timeoutMs: 10_000, send: () => { throw new Error('boom'); } });
    await expect(result).rejects.toThrow('boom');
    expect(pending.size).toBe(0);
  });

  it('fails every pending request with a copy of the given response', async () => {
    const pending = new PendingRequests();
    const a = pending.track({ timeoutMs: 10_000, send: () => undefined });
    const b = pending.track({ timeoutMs: 10_000, send: () => undefined });
    expect(pending.failAll(LOCAL_CONNECTION_LOST)).toBe(2);
    const expected = { status: 503, reason: 'Service Unavailable (drachtio control connection lost)', headers: [], local: true };
    await expect(a).resolves.toEqual(expected);
    await expect(b).resolves.toEqual(expected);
    expect(pending.failAll(LOCAL_CONNECTION_LOST)).toBe(0);
  });
});
