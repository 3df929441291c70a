// Splits a TCP byte stream into SIP messages using Content-Length (RFC 3261 §18.3). Bare CRLFs between
// messages are keep-alives (RFC 5626 §3.5.1) and are skipped.
import { findHeaderEnd } from './parser.js';

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$/im;

/** The stream cannot be resynchronised; the connection has to be closed. */
export class SipFramingError extends Error {
  override readonly name = 'SipFramingError';
}

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends received bytes and returns every complete message now available, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      this.skipKeepAlives();
      const message = this.takeMessage();
      if (!message) return messages;
      messages.push(message);
    }
  }

  private skipKeepAlives(): void {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start += 1;
    if (start > 0) this.buffer = this.buffer.subarray(start);
  }

  private takeMessage(): Buffer | undefined {
    const bounds = findHeaderEnd(this.buffer);
    if (!bounds) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw new SipFramingError('SIP header section too large');
      return undefined;
    }
    const headerText = this.buffer.subarray(0, bounds.headerEnd).toString('utf8');
    const declared = CONTENT_LENGTH.exec(headerText)?.[1];
    // A stream message without Content-Length is taken to have no body (RFC 3261 §20.14 makes it mandatory).
    const length = declared === undefined ? 0 : Number(declared);
    if (declared !== undefined && (!/^\d{1,9}$/.test(declared) || length > MAX_BODY_BYTES)) {
      throw new SipFramingError(`Bad Content-Length on stream: ${declared}`);
    }
    const end = bounds.bodyStart + length;
    if (this.buffer.length < end) return undefined;
    const message = this.buffer.subarray(0, end);
    this.buffer = this.buffer.subarray(end);
    return message;
  }
}
