// sipp UAC scenarios that send MESSAGEs exactly as the Restcomm SMSC does (smsc-sip-interface.md §5.1): no From
// tag, CSeq 2, `text/plain` without charset, X-SMS-* headers. Unlike uacScenario's default, the Content-Length is
// the body's exact byte count: sipp ends the last body line with CRLF, and over UDP the receiver drops bytes past
// Content-Length (RFC 3261 §18.3), so the body that arrives is byte-for-byte what the SMSC would send. sipp also
// strips spaces at the start and end of each line, so bodies should not begin or end with one.
// The XML comes from the shared generator (../sip/sipp-scenarios.ts); this file fixes the SMSC's choices.
import { uacScenario } from '../sip/sipp-scenarios.js';

export interface SmscMessageSpec {
  toUser: string;
  fromUser: string;
  headerLines?: string[];
  body: string;
  expectStatus: number;
  /** Exact header lines the response must carry. */
  expectHeaderLines?: string[];
  /** UDP: retransmit after this many ms (doubling) until an answer comes; default sipp's T1. */
  retransMs?: number;
}

/** One call (one Call-ID, CSeq 2 throughout) sending the messages in order, each awaiting its final status. */
export function smscScenario(spec: { messages: SmscMessageSpec[] }): string {
  return uacScenario({
    messages: spec.messages.map((message) => ({
      ...message,
      method: 'MESSAGE',
      fromTag: false,
      cseq: 2,
      contentType: 'text/plain',
      exactContentLength: true,
      // The SMSC's answers are checked by the test itself; a To tag is not part of what these scenarios assert.
      expectToTag: false,
    })),
  });
}
