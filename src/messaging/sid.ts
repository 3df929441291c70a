// Twilio-style identifiers: a two-letter prefix and 32 lowercase hex digits (128 random bits).
import { randomBytes } from 'node:crypto';
import { randomHex } from './random-hex.js';

export type SidPrefix = 'AC' | 'SK' | 'PN' | 'SM' | 'MM' | 'ME' | 'PA' | 'MG' | 'OO';

export function newSid(prefix: SidPrefix): string {
  return prefix + randomHex(16);
}

/** A fresh secret (auth token or API key secret): 32 lowercase hex characters, as Twilio issues them. */
export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

export function isSid(value: string, prefix: SidPrefix): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
