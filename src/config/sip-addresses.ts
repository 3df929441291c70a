// Structural parsing of the SIP address variables: SIP_LISTEN, SMSC_URI, SIP_ALLOWED_SOURCES, DRACHTIO_URL.
// Each parser returns what it could parse plus every problem it found, so loadConfig can list them all.
import { isIP } from 'node:net';
import type { SipListenAddress } from '../sip/port.js';
import type { SmscAddress } from './config.js';

export interface Parsed<T> {
  value: T;
  problems: string[];
}

/** `udp:127.0.0.1:5070,tcp:[::1]:5070` → listen addresses. */
export function parseListenList(text: string): Parsed<SipListenAddress[]> {
  const value: SipListenAddress[] = [];
  const problems: string[] = [];
  const items = splitList(text);
  if (items.length === 0) problems.push('must name at least one transport:host:port address');
  for (const item of items) {
    const match = /^([a-z]+):(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/i.exec(item);
    const transport = match?.[1]?.toLowerCase();
    if (!match || (transport !== 'udp' && transport !== 'tcp')) {
      problems.push(`"${item}" is not udp:host:port or tcp:host:port`);
      continue;
    }
    const host = unbracket(match[2]!);
    const port = Number(match[3]);
    if (port > 65535) problems.push(`"${item}" has a port above 65535`);
    else if (value.some((a) => a.transport === transport && a.host === host && a.port === port)) {
      problems.push(`"${item}" is listed twice`);
    } else value.push({ transport, host, port });
  }
  return { value, problems };
}

/** `sip:[user@]host[:port][;transport=udp|tcp][;other=params]` → the SMSC's address. */
export function parseSmscUri(text: string): Parsed<SmscAddress | undefined> {
  const match = /^sip:(?:[^@;]+@)?(\[[^\]]+\]|[^:;[\]@]+)(?::(\d{1,5}))?((?:;[^;]*)*)$/i.exec(text.trim());
  if (!match) return { value: undefined, problems: [`"${text}" is not a sip: URI like sip:10.0.0.5:5060;transport=udp`] };
  const problems: string[] = [];
  const port = match[2] === undefined ? 5060 : Number(match[2]);
  if (port < 1 || port > 65535) problems.push(`port ${port} is outside 1-65535`);
  const params = new Map(
    (match[3] ?? '').split(';').filter(Boolean).map((p) => {
      const [name = '', paramValue = ''] = p.split('=');
      return [name.toLowerCase(), paramValue.toLowerCase()] as const;
    }),
  );
  const transport = params.get('transport') ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') problems.push(`transport=${transport} is not udp or tcp`);
  const value: SmscAddress = {
    uri: text.trim(),
    host: unbracket(match[1]!),
    port,
    transport: transport === 'tcp' ? 'tcp' : 'udp',
  };
  return { value, problems };
}

/** `10.0.0.0/8, 192.0.2.7, ::1` → normalised CIDR blocks (`10.0.0.0/8`, `192.0.2.7/32`, `::1/128`). */
export function parseCidrList(text: string): Parsed<string[]> {
  const value: string[] = [];
  const problems: string[] = [];
  const items = splitList(text);
  if (items.length === 0) problems.push('must name at least one address or CIDR block');
  for (const item of items) {
    const [address = '', prefixText, extra] = item.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined) {
      problems.push(`"${item}" is not an IP address or CIDR block`);
    } else if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)) {
      problems.push(`"${item}" has a prefix length outside 0-${max}`);
    } else value.push(`${address}/${prefixText ?? max}`);
  }
  return { value, problems };
}

/** The default SIP_ALLOWED_SOURCES: the SMSC's own address, when SMSC_URI gives one. */
export function smscSourceBlock(smsc: SmscAddress): string | undefined {
  const family = isIP(smsc.host);
  if (family === 0) return undefined;
  return `${smsc.host}/${family === 6 ? 128 : 32}`;
}

/** DRACHTIO_URL: `drachtio://[secret@]host[:port]` or `tcp://host:port`. Returns whether a secret is in it. */
export function checkDrachtioUrl(text: string): Parsed<{ hasSecret: boolean }> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { value: { hasSecret: false }, problems: [`"${text}" is not a URL`] };
  }
  const problems: string[] = [];
  if (url.protocol !== 'drachtio:' && url.protocol !== 'tcp:') problems.push('scheme must be drachtio: or tcp:');
  if (url.hostname === '') problems.push('has no host');
  if (url.protocol === 'tcp:' && url.port === '') problems.push('a tcp:// URL must name the port');
  if (url.password !== '') problems.push('takes the secret as the user part (secret@host), not user:password');
  return { value: { hasSecret: url.username !== '' }, problems };
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
