// Just enough SIP text handling for the fake drachtio-server: it plays the part of drachtio-server's sofia
// stack, which completes requests (Via, Call-ID, CSeq, From tag, Content-Length) and builds responses.
import { randomBytes } from 'node:crypto';

export type HeaderPairs = Array<[string, string]>;

export interface SipText {
  startLine: string;
  headers: HeaderPairs;
  body: string;
}

export function parseSipText(text: string): SipText {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 4);
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers: HeaderPairs = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers, body };
}

export function formatSipText(message: SipText): string {
  const lines = [message.startLine, ...message.headers.map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n${message.body}`;
}

export function headerValue(headers: HeaderPairs, name: string): string | undefined {
  return headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

export function token(): string {
  return randomBytes(6).toString('hex');
}

/** What drachtio-server puts on the wire for a request an application sent through `sip||`. */
export function completeRequest(frameSip: string, options: { cseq: number; localPort: number }): string {
  const parsed = parseSipText(frameSip);
  const method = parsed.startLine.split(' ')[0] ?? 'MESSAGE';
  const keep = parsed.headers.filter(([name]) => name.toLowerCase() !== 'content-length');
  const withTag = keep.map(([name, value]): [string, string] =>
    name.toLowerCase() === 'from' && !value.includes(';tag=') ? [name, `${value};tag=${token()}`] : [name, value],
  );
  const added: HeaderPairs = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:${options.localPort};branch=z9hG4bK${token()};rport`],
    ['Max-Forwards', '70'],
    ['Call-ID', token()],
    ['CSeq', `${options.cseq} ${method}`],
  ];
  const headers = [...added, ...withTag, ['Content-Length', String(Buffer.byteLength(parsed.body, 'utf8'))] as [string, string]];
  return formatSipText({ startLine: parsed.startLine, headers, body: parsed.body });
}

/** A response to `request` (wire text) as a remote UAS would send it. */
export function buildResponse(request: string, reply: { status: number; reason: string; headers: HeaderPairs }): string {
  const parsed = parseSipText(request);
  const copied = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].flatMap((name): HeaderPairs => {
    const value = headerValue(parsed.headers, name);
    if (value === undefined) return [];
    return [[name, name === 'To' && !value.includes(';tag=') ? `${value};tag=${token()}` : value]];
  });
  const headers: HeaderPairs = [...copied, ...reply.headers, ['Content-Length', '0']];
  return formatSipText({ startLine: `SIP/2.0 ${reply.status} ${reply.reason}`, headers, body: '' });
}

export interface InjectedRequest {
  method?: string;
  requestUri: string;
  from: string;
  to: string;
  headers?: HeaderPairs;
  contentType?: string;
  body?: string;
  sourcePort: number;
}

/** An out-of-dialog request as a peer (the SMSC) would send it to drachtio-server. */
export function buildIncomingRequest(request: InjectedRequest): string {
  const method = request.method ?? 'MESSAGE';
  const body = request.body ?? '';
  const headers: HeaderPairs = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:${request.sourcePort};branch=z9hG4bK${token()}`],
    ['From', `<${request.from}>;tag=${token()}`],
    ['To', `<${request.to}>`],
    ['Call-ID', `${token()}@127.0.0.1`],
    ['CSeq', `1 ${method}`],
    ['Max-Forwards', '70'],
    ...(request.headers ?? []),
    ['Content-Type', request.contentType ?? 'text/plain;charset=UTF-8'],
    ['Content-Length', String(Buffer.byteLength(body, 'utf8'))],
  ];
  return formatSipText({ startLine: `${method} ${request.requestUri} SIP/2.0`, headers, body });
}
