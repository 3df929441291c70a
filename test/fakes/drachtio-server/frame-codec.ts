// drachtio control-protocol framing: `<payload byte length>#<payload>`, payload in UTF-8
// (drachtio-srf lib/wire-protocol.js `send` and `_onData`; drachtio-server src/client.cpp).

export function encodeFrame(payload: string): Buffer {
  return Buffer.from(`${Buffer.byteLength(payload, 'utf8')}#${payload}`, 'utf8');
}

/** Splits a byte stream into frame payloads; keeps partial frames until the rest arrives. */
export class FrameDecoder {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const payloads: string[] = [];
    for (;;) {
      const hash = this.buffered.indexOf('#');
      if (hash <= 0) break;
      const lengthText = this.buffered.toString('latin1', 0, hash);
      if (!/^\d+$/.test(lengthText)) throw new Error(`bad drachtio frame length prefix: ${JSON.stringify(lengthText)}`);
      const end = hash + 1 + Number(lengthText);
      if (this.buffered.length < end) break;
      payloads.push(this.buffered.toString('utf8', hash + 1, end));
      this.buffered = this.buffered.subarray(end);
    }
    return payloads;
  }
}

/** A frame payload split into its pipe-separated leader and the raw SIP text after the first CRLF, if any. */
export interface ParsedPayload {
  msgId: string;
  type: string;
  args: string[];
  sip: string | undefined;
}

export function parsePayload(payload: string): ParsedPayload {
  const crlf = payload.indexOf('\r\n');
  const leader = crlf === -1 ? payload : payload.slice(0, crlf);
  const [msgId = '', type = '', ...args] = leader.split('|');
  return { msgId, type, args, sip: crlf === -1 ? undefined : payload.slice(crlf + 2) };
}
