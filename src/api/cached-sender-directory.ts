// The From-ownership check of every Messages create, answered from memory when the same account used the same
// number in the last few seconds. Only "yes" is remembered: a number added a moment ago works at once, and a
// number deleted or moved through this process stops working at once (its store write moves directory-version.ts;
// forget() does the same by hand). A number deleted through another instance sharing the database may still be
// accepted as a sender here for up to ttlMs.
import type { SenderDirectory } from '../messaging/ports.js';
import { directoryVersion } from '../store/directory-version.js';
import { TtlCache } from '../store/ttl-cache.js';

export interface CachedSenderDirectory extends SenderDirectory {
  /** Forgets every remembered answer (a number was deleted or moved). */
  forget(): void;
}

export function cacheSenderDirectory(inner: SenderDirectory, options: { ttlMs: number; maxEntries?: number }): CachedSenderDirectory {
  const owned = new TtlCache<true>({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 10_000, invalidatedBy: directoryVersion });
  return {
    async isIncomingNumberOf(query) {
      // The separator cannot occur in an AccountSid, so two different pairs never share a key.
      const key = `${query.accountSid} ${query.phoneNumber}`;
      if (owned.get(key)) return true;
      const generation = owned.generation;
      const answer = await inner.isIncomingNumberOf(query);
      if (answer) owned.set(key, true, generation);
      return answer;
    },
    forget: () => owned.clear(),
  };
}
