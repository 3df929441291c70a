// Reads sipp's `-trace_msg` file: every SIP message sipp received or sent, each after a dashed line carrying
// sipp's wall-clock time with microseconds (`----- 2026-11-25 21:28:52.622235`). Used to time arrivals at the
// SMSC as the SMSC itself saw them.

/** Answers 200 to any MESSAGE or OPTIONS (the service probes the SMSC with OPTIONS at start). */
export const ANSWER_ANYTHING = `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="smsc-answering-200">
  <recv request="MESSAGE|OPTIONS" regexp_match="true"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]sipp[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
`;

export interface TracedMessage {
  /** ms since the epoch (sipp logs local time; only differences matter). */
  at: number;
  direction: 'received' | 'sent';
  /** The first line: request line or status line. */
  startLine: string;
  branch: string | null;
  /** Header lines as received, e.g. `To: <sip:447700900123@127.0.0.1:5060>`. */
  headers: string[];
  body: string;
}

const SEPARATOR = /^-{20,} (\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\.(\d{6})\s*$/;

export function parseSippTrace(text: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const match = SEPARATOR.exec(lines[i]!);
    if (!match) continue;
    const [, year, month, day, hour, minute, second, micros] = match.map(Number) as number[];
    const at = new Date(year!, month! - 1, day!, hour!, minute!, second!).getTime() + micros! / 1000;
    const direction = /message received/i.test(lines[i + 1] ?? '') ? 'received' : 'sent';
    // Then a blank line, the SIP message, and the next separator.
    let end = i + 3;
    while (end < lines.length && !SEPARATOR.test(lines[end]!)) end += 1;
    const sip = lines.slice(i + 3, end);
    const blank = sip.indexOf('');
    const headers = blank === -1 ? sip : sip.slice(0, blank);
    const branch = /;branch=([^;\s]+)/i.exec(headers.find((h) => /^via:/i.test(h)) ?? '')?.[1] ?? null;
    const body = blank === -1 ? '' : sip.slice(blank + 1).join('\n').trim();
    messages.push({ at, direction, startLine: sip[0] ?? '', branch, headers: headers.slice(1), body });
    i = end - 1;
  }
  return messages;
}

/** The value of the first header called `name` (case-insensitive), or undefined. */
export function headerValue(message: TracedMessage, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  return message.headers.find((h) => h.toLowerCase().startsWith(prefix))?.slice(prefix.length).trim();
}

/** First arrival of each MESSAGE transaction (retransmissions share the branch and are dropped). */
export function messageArrivals(trace: readonly TracedMessage[]): TracedMessage[] {
  const seen = new Set<string>();
  return trace.filter((m) => {
    if (m.direction !== 'received' || !m.startLine.startsWith('MESSAGE ')) return false;
    const key = m.branch ?? `${m.at}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The largest number of times found in any window [t, t + windowMs) that starts at one of the times. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end += 1;
    best = Math.max(best, end - start);
  }
  return best;
}
