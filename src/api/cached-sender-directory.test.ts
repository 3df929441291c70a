import { describe, expect, it } from 'vitest';
import type { SenderDirectory } from '../messaging/ports.js';
import { cacheSenderDirectory } from './cached-sender-directory.js';

function directory(owned: Set<string>) {
  const asked: string[] = [];
  const inner: SenderDirectory = {
    async isIncomingNumberOf({ accountSid, phoneNumber }) {
      asked.push(`${accountSid}/${phoneNumber}`);
      return owned.has(`${accountSid}/${phoneNumber}`);
    },
  };
  return { inner, asked };
}

describe('cacheSenderDirectory', () => {
  it('remembers "yes" per account and number, never "no"', async () => {
    const owned = new Set(['AC1/+15005550006']);
    const { inner, asked } = directory(owned);
    const senders = cacheSenderDirectory(inner, { ttlMs: 60_000 });
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' })).toBe(true);
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' })).toBe(true);
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC2', phoneNumber: '+15005550006' })).toBe(false);
    owned.add('AC2/+15005550007');
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC2', phoneNumber: '+15005550007' })).toBe(true);
    expect(asked).toEqual(['AC1/+15005550006', 'AC2/+15005550006', 'AC2/+15005550007']);
  });

  it('asks again after forget(), so a deleted number stops working at once', async () => {
    const owned = new Set(['AC1/+15005550006']);
    const { inner } = directory(owned);
    const senders = cacheSenderDirectory(inner, { ttlMs: 60_000 });
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' })).toBe(true);
    owned.clear();
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' })).toBe(true);
    senders.forget();
    expect(await senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' })).toBe(false);
  });

  it('does not store an answer that was read before a forget()', async () => {
    const owned = new Set(['AC1/+15005550006']);
    let release: () => void = () => undefined;
    const inner: SenderDirectory = {
      isIncomingNumberOf: async ({ accountSid, phoneNumber }) => {
        const answer = owned.has(`${accountSid}/${phoneNumber}`);
        await new Promise<void>((resolve) => { release = resolve; });
        return answer;
      },
    };
    const senders = cacheSenderDirectory(inner, { ttlMs: 60_000 });
    const slow = senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' });
    await Promise.resolve();
    owned.clear();
    senders.forget(); // the number is deleted while the lookup is on its way
    release();
    expect(await slow).toBe(true);
    const again = senders.isIncomingNumberOf({ accountSid: 'AC1', phoneNumber: '+15005550006' });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await again).toBe(false);
  });
});
