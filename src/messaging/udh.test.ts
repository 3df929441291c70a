import { describe, expect, it } from 'vitest';
import { checkUdh } from './udh.js';

describe('checkUdh', () => {
  it('accepts a concatenation header and uppercases it', () => {
    expect(checkUdh('050003a10201')).toEqual({ ok: true, hex: '050003A10201', octets: 6 });
    expect(checkUdh('0608040001 0201'.replace(' ', ''))).toEqual({ ok: true, hex: '060804000102 01'.replace(' ', ''), octets: 7 });
  });
  it('rejects odd hex, a wrong UDHL and overrunning elements', () => {
    expect(checkUdh('05000')).toEqual({ ok: false, reason: 'must be an even number of hex digits' });
    expect(checkUdh('0600')).toEqual({ ok: false, reason: 'UDHL is 6 but 1 octets follow it' });
    expect(checkUdh('030005a1')).toEqual({ ok: false, reason: 'the information element at octet 1 overruns the header' });
    expect(checkUdh('00')).toEqual({ ok: false, reason: 'the header holds no information element' });
  });
  it('words empty and non-hex input like odd hex', () => {
    expect(checkUdh('')).toEqual({ ok: false, reason: 'must be an even number of hex digits' });
    expect(checkUdh('05 0003A10201')).toEqual({ ok: false, reason: 'must be an even number of hex digits' });
  });
  it('rejects an element we interpret carrying the wrong number of octets (encoding/udh.ts rule)', () => {
    expect(checkUdh('0400020102')).toEqual({ ok: false, reason: 'IE 0x00 must carry 3 octets of data; got 2' });
  });
});
