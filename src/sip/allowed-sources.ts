// SIP_ALLOWED_SOURCES: only the SMSC may talk to us. A pure matcher for IPv4/IPv6 CIDR lists (a bare address is
// a /32 or /128). IPv4-mapped IPv6 sources (::ffff:a.b.c.d, as dual-stack sockets report them) match IPv4 rules.
import { isIP } from 'node:net';

interface Rule {
  bytes: Uint8Array;
  prefix: number;
}

export function cidrMatcher(cidrs: string[]): (address: string) => boolean {
  const rules = cidrs.map((cidr) => cidr.trim()).filter((cidr) => cidr !== '').map(parseCidr);
  return (address: string) => {
    const bytes = addressBytes(unmapIpv4(address));
    if (!bytes) return false;
    return rules.some((rule) => rule.bytes.length === bytes.length && prefixEquals(rule.bytes, bytes, rule.prefix));
  };
}

function parseCidr(cidr: string): Rule {
  const [address = '', prefixText, extra] = cidr.split('/');
  const bytes = addressBytes(address);
  if (!bytes || extra !== undefined) throw new Error(`Bad CIDR "${cidr}"`);
  const max = bytes.length * 8;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) throw new Error(`Bad CIDR prefix in "${cidr}"`);
  return { bytes, prefix };
}

function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function addressBytes(address: string): Uint8Array | undefined {
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family === 6) return ipv6Bytes(address);
  return undefined;
}

function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

function prefixEquals(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const fullBytes = Math.floor(prefix / 8);
  for (let i = 0; i < fullBytes; i += 1) if (a[i] !== b[i]) return false;
  const rest = prefix % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[fullBytes]! ^ b[fullBytes]!) & mask) === 0;
}
