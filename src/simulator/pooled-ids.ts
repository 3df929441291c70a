// Random SIP identifiers (branch, tag, Call-ID) for the simulator, cut from a pooled block of random bytes:
// the same cryptographic source and lengths as sip/native/identifiers.ts, without one randomBytes call each
// (three per request were a visible part of the simulator's CPU in the bench).
import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from '../sip/native/via.js';

const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export function pooledBranch(): string {
  return `${MAGIC_COOKIE}${randomHex(12)}`;
}

export function pooledTag(): string {
  return randomHex(8);
}

export function pooledCallId(host: string): string {
  return `${randomHex(16)}@${host}`;
}
