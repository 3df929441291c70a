// Twilio-style identifiers: a two-letter prefix and 32 lowercase hex digits (128 random bits).
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'AC' | 'SK' | 'PN' | 'SM' | 'MM' | 'ME' | 'PA' | 'MG' | 'OO';

// SIDs are cut from a pooled block of random bytes (the same source, each byte used once): one randomBytes
// call per create was about 3% of the service's busy time on the accept path.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

export function newSid(prefix: SidPrefix): string {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 16);
  offset += 16;
  return prefix + hex;
}

/** A fresh secret (auth token or API key secret): 32 lowercase hex characters, as Twilio issues them. */
export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

export function isSid(value: string, prefix: SidPrefix): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
