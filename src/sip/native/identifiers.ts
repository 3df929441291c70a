// Random identifiers. Branches must be unique across time and space (RFC 3261 §8.1.1.7), so they come from a
// cryptographic source rather than Math.random.
import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from './via.js';

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomBytes(12).toString('hex')}`;
}

export function newTag(): string {
  return randomBytes(8).toString('hex');
}

export function newCallId(host: string): string {
  return `${randomBytes(16).toString('hex')}@${host}`;
}
