// Sends one raw SIP request over UDP, exactly the bytes given (NULs, invalid UTF-8 and all, which sipp scenario
// XML cannot carry), and resolves with the final response. Retransmits like a UDP client (RFC 3261 §17.1.2, T1
// 500 ms doubling) until a final response arrives, so a lost datagram only costs time; the server's transaction
// layer absorbs the copies. The request's top Via should carry `rport`, so the answer comes back to this socket.
import { createSocket } from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';

export interface RawSipResponse {
  status: number;
  reason: string;
  /** The response as text (headers and body). */
  text: string;
}

export async function sendRawSip(options: { host?: string; port: number; request: Buffer; timeoutMs?: number }): Promise<RawSipResponse> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let final: RawSipResponse | undefined;
  socket.on('message', (data) => {
    const text = data.toString('utf8');
    const match = /^SIP\/2\.0 (\d{3}) ?(.*)\r?\n/.exec(text);
    if (match && Number(match[1]) >= 200) final ??= { status: Number(match[1]), reason: match[2] ?? '', text };
  });
  try {
    let interval = 500;
    while (final === undefined) {
      if (Date.now() > deadline) throw new Error(`no final response to the raw request within ${options.timeoutMs ?? 10_000} ms`);
      socket.send(options.request, options.port, options.host ?? '127.0.0.1');
      const until = Date.now() + interval;
      while (final === undefined && Date.now() < until) await delay(10);
      interval = Math.min(interval * 2, 4_000);
    }
    return final;
  } finally {
    socket.close();
  }
}

/** A header's value in a response text, or undefined. */
export function responseHeader(response: RawSipResponse, name: string): string | undefined {
  const line = response.text.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
