import { describe, expect, it } from 'vitest';
import { SipFramingError, StreamFramer } from './stream-framer.js';

const message = (body: string): string => `MESSAGE sip:a@b SIP/2.0\r\nl: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('StreamFramer', () => {
  it('splits back-to-back messages by byte Content-Length, across arbitrary chunk borders', () => {
    const stream = Buffer.from(`\r\n\r\n${message('Grüße ✓')}${message('')}${message('abc')}`);
    for (const chunkSize of [1, 3, 7, stream.length]) {
      const framer = new StreamFramer();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...framer.push(stream.subarray(i, i + chunkSize)).map(String));
      expect(out).toEqual([message('Grüße ✓'), message(''), message('abc')]);
    }
  });

  it('treats a message without Content-Length as bodiless', () => {
    expect(new StreamFramer().push(Buffer.from('OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\nNEXT')).map(String)).toEqual([
      'OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n',
    ]);
  });

  it('gives up on a Content-Length it cannot trust', () => {
    expect(() => new StreamFramer().push(Buffer.from('MESSAGE sip:a SIP/2.0\r\nContent-Length: -1\r\n\r\n'))).toThrow(SipFramingError);
  });
});
