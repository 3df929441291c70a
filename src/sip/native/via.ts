// The top Via: who sent the request, over what, and which transaction it belongs to (RFC 3261 §8.1.1.7, §18.2).
import { parseParams } from './sip-uri.js';
import type { TransportSource } from './transports.js';

export const MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Record<string, string>;
}

const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?\s*((?:;.*)?)$/;

/** The first via-parm of the first Via header value (a value may hold several, comma-separated). */
export function parseTopVia(values: string[]): Via {
  const first = values[0];
  if (first === undefined) throw new Error('Missing Via');
  const top = splitViaValue(first)[0] ?? '';
  const match = VIA.exec(top.trim());
  if (!match) throw new Error(`Bad Via: ${top}`);
  return {
    transport: match[1]!.toUpperCase(),
    host: match[2]!.replace(/^\[|\]$/g, ''),
    port: match[3] === undefined ? undefined : Number(match[3]),
    params: parseParams(match[4] ?? ''),
  };
}

/** Splits `a, b` at commas outside quotes. */
function splitViaValue(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581: the server notes the packet's source in the top Via it echoes back, so the
 * response can find its way through NAT. Other Via values are copied unchanged.
 */
export function stampTopVia(value: string, source: { address: string; port: number }): string {
  const parts = splitViaValue(value);
  const top = parts[0]!;
  const via = parseTopVia([top]);
  let stamped = top.trim();
  if (via.host !== source.address && via.params.received === undefined) stamped += `;received=${source.address}`;
  if (via.params.rport === '') stamped = stamped.replace(/;\s*rport(?=;|$)/i, `;rport=${source.port}`);
  return [stamped, ...parts.slice(1)].join(',');
}

/** Where the responses of a server transaction go; the only address a completed transaction keeps. */
export interface ResponseTarget {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

/**
 * RFC 3261 §18.2.2 (+ RFC 3581): over TCP the connection the request came on; over UDP the packet's source
 * address, and its source port only when the top Via asked for rport (otherwise the Via's sent-by port).
 */
export function responseTarget(source: TransportSource, via: Via): ResponseTarget {
  const port = source.transport === 'tcp' || via.params.rport !== undefined ? source.port : (via.port ?? 5060);
  return { transport: source.transport, address: source.address, port };
}
