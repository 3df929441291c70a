// Every MESSAGE the simulator received (`received()`, GET /received), kept cheaply: the request's own bytes, its
// source and arrival time, and what the simulated SMSC did with it. The parsed form is rebuilt from the bytes when
// the log is read, and kept from then on. A bench run receives thousands of MESSAGEs and reads the log once at the
// end; kept parsed (some 40 objects and strings each, most of them views of the header text), they kept the
// garbage collector copying and marking them for the whole run.
import { parseSipMessage } from '../sip/native/parser.js';
import { toIncomingMessage } from '../sip/native/inbound-requests.js';
import type { SipRequest } from '../sip/native/sip-message.js';
import type { TransportSource } from '../sip/native/transports.js';
import type { IncomingSipMessage } from '../sip/port.js';
import type { ReceivedMessage, ReceivedOutcome } from './simulator-types.js';

/** One logged MESSAGE; the simulator updates `outcome` and `messageId` as it handles it. */
export interface ReceivedEntry {
  readonly bytes: Buffer;
  readonly source: TransportSource;
  readonly arrivedAtMs: number;
  outcome: ReceivedOutcome;
  messageId: string | null;
  parsed: IncomingSipMessage | null;
}

export class ReceivedLog {
  private readonly entries: ReceivedEntry[] = [];

  /** Logs a request as it arrived; `bytes` is copied (a datagram's buffer may be a view of a larger one). */
  add(bytes: Buffer, source: TransportSource, arrivedAtMs: number): ReceivedEntry {
    const entry: ReceivedEntry = { bytes: Buffer.from(bytes), source, arrivedAtMs, outcome: { kind: 'pending' }, messageId: null, parsed: null };
    this.entries.push(entry);
    return entry;
  }

  /** Oldest first; each a fresh copy, so callers cannot change the log. */
  all(): ReceivedMessage[] {
    return this.entries.map((entry) => {
      entry.parsed ??= toIncomingMessage(parseSipMessage(entry.bytes) as SipRequest, entry.source);
      return { ...entry.parsed, arrivedAt: new Date(entry.arrivedAtMs), text: entry.parsed.body.toString('utf8'), outcome: { ...entry.outcome }, messageId: entry.messageId };
    });
  }

  clear(): void {
    this.entries.length = 0;
  }
}
