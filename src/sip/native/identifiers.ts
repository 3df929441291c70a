// Random identifiers. Branches must be unique across time and space (RFC 3261 §8.1.1.7), so they come from a
// cryptographic source rather than Math.random (pooled: messaging/random-hex.ts).
import { randomHex } from '../../messaging/random-hex.js';
import { MAGIC_COOKIE } from './via.js';

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomHex(12)}`;
}

export function newTag(): string {
  return randomHex(8);
}

export function newCallId(host: string): string {
  return `${randomHex(16)}@${host}`;
}
