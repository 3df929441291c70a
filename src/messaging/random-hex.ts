// Random hex strings cut from a pooled block of cryptographic random bytes, each byte used once. One
// randomBytes() call per identifier (a SID per create, a branch, tag and Call-ID per SIP request) was 3-4% of
// the service's busy time in the bench; one call per 4 KiB costs the same source a fraction of that.
import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `bytes` random bytes as 2 × `bytes` lowercase hex digits. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
