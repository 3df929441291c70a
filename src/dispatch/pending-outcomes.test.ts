import { describe, expect, it } from 'vitest';
import { addressPairKey, PendingOutcomes } from './pending-outcomes.js';

const message = { sid: 'SM1', to: '+447700900123', from: '+15005550006' };

describe('PendingOutcomes', () => {
  it('lets a receipt wait for the write of an answered outcome, by SMSC id or by addresses', async () => {
    const pending = new PendingOutcomes();
    pending.answered(message, ['1001']);
    pending.answered(message, ['1002']); // the second part's submit_sm_resp
    const byId = pending.forSmscId(' 1002 ');
    const byAddresses = pending.forAddresses('447700900123', '%2B15005550006');
    expect(byId).not.toBeNull();
    expect(byAddresses).not.toBeNull();
    let resolved = 0;
    void byId?.then(() => (resolved += 1));
    void byAddresses?.then(() => (resolved += 1));
    await Promise.resolve();
    expect(resolved).toBe(0);
    pending.written(['SM1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(2);
    expect(pending.size).toBe(0);
    expect(pending.forSmscId('1001')).toBeNull();
    expect(pending.forAddresses(message.to, message.from)).toBeNull();
  });

  it('knows nothing of messages it was not told about', () => {
    const pending = new PendingOutcomes();
    pending.answered(message, ['1001']);
    expect(pending.forSmscId('1003')).toBeNull();
    expect(pending.forAddresses('+447700900999', message.from)).toBeNull();
  });

  it('stops trusting an entry nobody cleared after maxAgeMs, and drops it', () => {
    let now = 0;
    const pending = new PendingOutcomes({ maxAgeMs: 1_000, now: () => now });
    pending.answered(message, ['1001']);
    now = 1_001;
    expect(pending.forSmscId('1001')).toBeNull();
    now = 2_500;
    pending.answered({ sid: 'SM2', to: message.to, from: message.from }, ['1005']);
    expect(pending.size).toBe(1);
  });

  it('wakes every waiter on clear()', async () => {
    const pending = new PendingOutcomes();
    pending.answered(message, ['1001']);
    const wait = pending.forSmscId('1001');
    pending.clear();
    await expect(wait).resolves.toBeUndefined();
    expect(pending.size).toBe(0);
  });

  it('treats +digits and digits as one address', () => {
    expect(addressPairKey('+447700900123', '15005550006')).toBe(addressPairKey('447700900123', '+15005550006'));
  });
});
