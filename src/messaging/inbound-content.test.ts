import { describe, expect, it } from 'vitest';
import { assembledUdh, codingName, contentNotes, inboundBody, joinPayloads, payloadHex } from './inbound-content.js';

describe('inboundBody', () => {
  it('is the uppercase hex of 8-bit data, whatever its text reading', () => {
    expect(inboundBody({ coding: 1, text: '\u0000\u00ff', payload: Buffer.from('00ff', 'hex') })).toBe('00FF');
  });

  it('is the text without U+0000 for GSM 7-bit and UCS-2 (the payload keeps the NUL)', () => {
    expect(inboundBody({ coding: 0, text: 'a\u0000b\u0000', payload: Buffer.from('6100620', 'hex') })).toBe('ab');
    expect(inboundBody({ coding: 2, text: 'Жж', payload: Buffer.from('Жж') })).toBe('Жж');
  });
});

describe('contentNotes', () => {
  it('says how many NULs the body lost and why the text is not exact; nothing for a faithful body', () => {
    expect(contentNotes({ coding: 0, text: 'a\u0000b\u0000' })).toEqual({ nulsOmittedFromBody: 2 });
    expect(contentNotes({ coding: 0, text: 'a\ufffd', decodeError: 'not valid UTF-8' })).toEqual({ decodeError: 'not valid UTF-8' });
    expect(contentNotes({ coding: 1, text: '\u0000' })).toEqual({});
    expect(contentNotes({ coding: 0, text: 'plain', decodeError: null })).toEqual({});
  });
});

describe('payloads and UDH of assembled messages', () => {
  it('joins payloads in the order given, or gives null when one is unknown', () => {
    expect(joinPayloads([Buffer.from('00', 'hex'), Uint8Array.from([1, 2])])?.toString('hex')).toBe('000102');
    expect(joinPayloads([Buffer.from('00', 'hex'), null])).toBeNull();
  });

  it('drops the concatenation IEs (8- and 16-bit) from the first part\'s UDH, and gives up on an unreadable one', () => {
    expect(assembledUdh('0B0003A702010504158A0000')).toBe('060504158A0000');
    expect(assembledUdh('060804BEEF0201')).toBeNull();
    expect(assembledUdh('0500')).toBeNull();
    expect(assembledUdh(null)).toBeNull();
  });

  it('names codings as SmscCoding does and writes hex in uppercase', () => {
    expect([codingName(0), codingName(1), codingName(2)]).toEqual(['gsm7', 'binary', 'ucs2']);
    expect(payloadHex(Uint8Array.from([0, 0xab]))).toBe('00AB');
  });
});
