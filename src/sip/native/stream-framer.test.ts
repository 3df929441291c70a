import { describe, expect, it } from 'vitest';
import { SipFramingError, StreamFramer } from './stream-framer.js';

const message = (body: string): string => `MESSAGE sip:a@b SIP/2.0\r\nl: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const framed = (framer: StreamFramer, text: string | Buffer): string[] => framer.push(Buffer.from(text)).messages.map(String);

describe('StreamFramer', () => {
  it('splits back-to-back messages by byte Content-Length, across arbitrary chunk borders', () => {
    const stream = Buffer.from(`\r\n\r\n${message('Grüße ✓')}${message('')}${message('abc')}`);
    for (const chunkSize of [1, 3, 7, stream.length]) {
      const framer = new StreamFramer();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...framed(framer, stream.subarray(i, i + chunkSize)));
      expect(out).toEqual([message('Grüße ✓'), message(''), message('abc')]);
    }
  });

  it('treats a message without Content-Length as bodiless', () => {
    expect(framed(new StreamFramer(), 'OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\nNEXT')).toEqual(['OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n']);
  });

  it('gives up on a Content-Length it cannot trust, with a 400 and the header section', () => {
    for (const [value, reason] of [['-1', 'Bad Content-Length'], ['12abc', 'Bad Content-Length'], ['5 6', 'Bad Content-Length']]) {
      const head = `MESSAGE sip:a SIP/2.0\r\nContent-Length: ${value}`;
      const { messages, error } = new StreamFramer().push(Buffer.from(`${head}\r\n\r\nhello`));
      expect(messages).toEqual([]);
      expect(error).toBeInstanceOf(SipFramingError);
      expect({ reason: error?.reason, status: error?.status, head: error?.head?.toString() }).toEqual({ reason, status: 400, head });
    }
    const twice = new StreamFramer().push(Buffer.from('MESSAGE sip:a SIP/2.0\r\nl: 0\r\nContent-Length: 5\r\n\r\nhello'));
    expect(twice.error).toMatchObject({ reason: 'Multiple Content-Length headers', status: 400 });
  });

  it('returns the messages framed before a fault in the same chunk, then stays failed', () => {
    const framer = new StreamFramer();
    const { messages, error } = framer.push(Buffer.from(`${message('first')}MESSAGE sip:a SIP/2.0\r\nContent-Length: x\r\n\r\n`));
    expect(messages.map(String)).toEqual([message('first')]);
    expect(error?.reason).toBe('Bad Content-Length');
    expect(framer.push(Buffer.from(message('later')))).toEqual({ messages: [], error });
    expect(framer.hasPartialMessage()).toBe(false);
  });

  it('refuses a declared body that would take the message over the limit (413), before it arrives', () => {
    const framer = new StreamFramer(1024);
    const head = 'MESSAGE sip:a SIP/2.0\r\nContent-Length: 1000000';
    const { messages, error } = framer.push(Buffer.from(`${message('ok')}${head}\r\n\r\n`));
    expect(messages.map(String)).toEqual([message('ok')]);
    expect({ status: error?.status, head: error?.head?.toString() }).toEqual({ status: 413, head });
    // Exactly at the limit is still fine.
    const exact = `MESSAGE sip:a SIP/2.0\r\nl: 1000\r\n\r\n`;
    const body = 'x'.repeat(1024 - exact.length);
    expect(framed(new StreamFramer(1024), exact.replace('1000', String(body.length)) + body)).toHaveLength(1);
  });

  it('refuses a header section over 64 KB whether it arrives in one chunk or trickles in', () => {
    const big = `MESSAGE sip:a SIP/2.0\r\n${'X-Pad: ' + 'p'.repeat(100) + '\r\n'}`.repeat(700) + 'l: 0\r\n\r\n';
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    const whole = new StreamFramer().push(Buffer.from(big));
    expect(whole).toMatchObject({ messages: [], error: { status: 413, head: undefined } });
    const trickled = new StreamFramer();
    let error: SipFramingError | undefined;
    for (let i = 0; i < big.length && !error; i += 1000) error = trickled.push(Buffer.from(big.slice(i, i + 1000))).error;
    expect(error?.reason).toBe('SIP header section larger than 16384 bytes');
  });

  it('caps the header section at 16 KiB even when the message limit is larger, and takes a long body under it', () => {
    const head = (size: number) => `MESSAGE sip:a SIP/2.0\r\nX-Pad: ${'p'.repeat(size)}\r\nl: 0`;
    const fits = head(16_384 - 'MESSAGE sip:a SIP/2.0\r\nX-Pad: \r\nl: 0'.length);
    expect(Buffer.byteLength(fits)).toBe(16_384);
    expect(framed(new StreamFramer(131_072), `${fits}\r\n\r\n`)).toHaveLength(1);
    expect(new StreamFramer(131_072).push(Buffer.from(`${head(16_384)}\r\n\r\n`)).error?.status).toBe(413);
    // The SMSC's longest MO (one message_payload MESSAGE) has a body of up to about 77 KB.
    expect(framed(new StreamFramer(131_072), message('ü'.repeat(38_468)))).toHaveLength(1);
  });

  it('knows when part of a message is buffered, but not for keep-alives alone', () => {
    const framer = new StreamFramer();
    framer.push(Buffer.from('\r\n\r\n'));
    expect(framer.hasPartialMessage()).toBe(false);
    framer.push(Buffer.from('MESSAGE sip:a SIP/2.0\r\n'));
    expect(framer.hasPartialMessage()).toBe(true);
    framer.push(Buffer.from('l: 0\r\n\r\n'));
    expect(framer.hasPartialMessage()).toBe(false);
  });
});
