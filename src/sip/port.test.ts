import { describe, expect, it } from 'vitest';
import { getHeader, isHeaderName } from './port.js';

describe('isHeaderName', () => {
  it('matches a name in any ASCII case and in its compact form, either way round', () => {
    expect(isHeaderName('Call-ID', 'call-id')).toBe(true);
    expect(isHeaderName('CALL-ID', 'Call-Id')).toBe(true);
    expect(isHeaderName('X-DELIVERY_TIME', 'x-delivery_time')).toBe(true);
    expect(isHeaderName('i', 'Call-ID')).toBe(true);
    expect(isHeaderName('V', 'via')).toBe(true);
    expect(isHeaderName('f', 'f')).toBe(true);
  });

  it('tells apart names that only a careless case fold would confuse', () => {
    expect(isHeaderName('Call-IE', 'call-id')).toBe(false);
    expect(isHeaderName('X-A@', 'x-a`')).toBe(false); // '@' | 0x20 is '`': only letters change case
    expect(isHeaderName('X-A[', 'x-a{')).toBe(false);
    expect(isHeaderName('from', 'f')).toBe(false);
    expect(isHeaderName('t', 'from')).toBe(false);
    expect(isHeaderName('Tos', 'to')).toBe(false);
  });

  it('compares non-ASCII names as lower-cased text, as before', () => {
    expect(isHeaderName('X-É', 'x-é')).toBe(true);
    expect(isHeaderName('X-É', 'x-e')).toBe(false);
  });

  it('getHeader returns the first value under any spelling', () => {
    expect(getHeader([['v', 'SIP/2.0/UDP a'], ['Via', 'SIP/2.0/UDP b']], 'VIA')).toBe('SIP/2.0/UDP a');
    expect(getHeader([['Via', 'x']], 'to')).toBeUndefined();
  });
});
