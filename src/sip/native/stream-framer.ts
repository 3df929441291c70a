// Splits a TCP byte stream into SIP messages using Content-Length (RFC 3261 §18.3). Bare CRLFs between
// messages are keep-alives (RFC 5626 §3.5.1) and are skipped. A stream that cannot be framed any further (a
// Content-Length it cannot trust, a message over the size limit) ends the framer; every message complete before
// the fault is still returned, in order, with the error.
import { findHeaderEnd } from './parser.js';
import { DEFAULT_SIP_LIMITS, headerLimit } from './limits.js';

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t]*$/gim;

/**
 * The stream cannot be resynchronised; the connection has to be closed. `status` is what a request deserves
 * (413 when its headers fit and its body would not, else 400), `head` its header section when there is one
 * within the limit, so the owner can answer before closing.
 */
export class SipFramingError extends Error {
  override readonly name = 'SipFramingError';
  constructor(
    readonly reason: string,
    readonly status: 400 | 413,
    readonly head: Buffer | undefined,
  ) {
    super(reason);
  }
}

export interface FramedBytes {
  /** Every complete message now available, in stream order. */
  messages: Buffer[];
  /** Set once the stream has become unframeable; later pushes return no messages and the same error. */
  error?: SipFramingError;
}

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private failure: SipFramingError | undefined;

  constructor(private readonly maxMessageBytes: number = DEFAULT_SIP_LIMITS.maxMessageBytes) {}

  /** Appends received bytes; never throws, never holds more than the limit plus the last chunk. */
  push(chunk: Buffer): FramedBytes {
    if (this.failure) return { messages: [], error: this.failure };
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    try {
      for (;;) {
        this.skipKeepAlives();
        const message = this.takeMessage();
        if (!message) return { messages };
        messages.push(message);
      }
    } catch (error) {
      if (!(error instanceof SipFramingError)) throw error;
      this.failure = error;
      this.buffer = Buffer.alloc(0);
      return { messages, error };
    }
  }

  /** True while part of a message (more than keep-alive CRLFs) is buffered. */
  hasPartialMessage(): boolean {
    return this.buffer.length > 0;
  }

  private skipKeepAlives(): void {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start += 1;
    if (start > 0) this.buffer = this.buffer.subarray(start);
  }

  private takeMessage(): Buffer | undefined {
    const max = this.maxMessageBytes;
    const maxHeader = headerLimit(max);
    // Searched only within the header limit: a section that ends beyond it is too large however it arrived.
    const bounds = findHeaderEnd(this.buffer.subarray(0, maxHeader + 4));
    if (!bounds || bounds.headerEnd > maxHeader) {
      if (this.buffer.length > maxHeader + 4) throw new SipFramingError(`SIP header section larger than ${maxHeader} bytes`, 413, undefined);
      return undefined;
    }
    const head = this.buffer.subarray(0, bounds.headerEnd);
    const length = contentLength(head);
    const end = bounds.bodyStart + length;
    if (end > max) throw new SipFramingError(`SIP message of ${end} bytes is larger than ${max}`, 413, Buffer.from(head));
    if (this.buffer.length < end) return undefined;
    const message = this.buffer.subarray(0, end);
    this.buffer = this.buffer.subarray(end);
    return message;
  }
}

/**
 * The body length a stream message declares. RFC 3261 §20.14 makes Content-Length mandatory on streams; one
 * without it is taken to have no body. Two values, or one that is not a plain number, leave the message's end
 * unknown: guessing would let the peer smuggle a second message inside the first.
 */
function contentLength(head: Buffer): number {
  const declared = [...head.toString('latin1').matchAll(CONTENT_LENGTH)].map((match) => match[1]!);
  if (declared.length === 0) return 0;
  if (declared.length > 1 || !/^\d{1,9}$/.test(declared[0]!)) {
    throw new SipFramingError(declared.length > 1 ? 'Multiple Content-Length headers' : 'Bad Content-Length', 400, Buffer.from(head));
  }
  return Number(declared[0]);
}
