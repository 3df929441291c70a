import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors/app-error.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const key = { dateCreated: new Date('2026-11-25T20:00:00.123Z'), sid: 'SM' + 'ab'.repeat(16) };

describe('page tokens', () => {
  it('round-trip both directions with PA / PB prefixes', () => {
    const after = encodePageToken({ direction: 'after', key });
    const before = encodePageToken({ direction: 'before', key });
    expect(after.startsWith('PA')).toBe(true);
    expect(before.startsWith('PB')).toBe(true);
    expect(after).toMatch(/^PA[A-Za-z0-9_-]+$/);
    expect(decodePageToken(after, 'SM')).toEqual({ direction: 'after', key });
    expect(decodePageToken(before, 'SM')).toEqual({ direction: 'before', key });
  });
  it('rejects forged or foreign tokens with 21481', () => {
    const forged = [
      'PAnonsense', 'XX' + encodePageToken({ direction: 'after', key }).slice(2), 'PA' + Buffer.from('[1,2]').toString('base64url'),
      'PA' + Buffer.from(JSON.stringify(['2026-11-25T20:00:00.123Z', 'PN' + 'ab'.repeat(16)])).toString('base64url'),
      'PA' + Buffer.from(JSON.stringify(['not a date', key.sid])).toString('base64url'),
    ];
    for (const token of forged) {
      try {
        decodePageToken(token, 'SM');
        expect.unreachable(token);
      } catch (error) {
        expect((error as AppError).code).toBe(21481);
      }
    }
  });
});
