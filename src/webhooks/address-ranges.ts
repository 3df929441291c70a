import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses are never a customer's public web server (the SSRF guard of url-policy.ts). Pure.
 *
 * IPv6 has several forms that carry an IPv4 address inside them and reach it through a translator or tunnel
 * (NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, Teredo
 * 2001::/32). Refusing those ranges outright would also refuse legitimate public servers behind NAT64 (an
 * IPv6-only host resolves `example.com` to 64:ff9b::5db8:d822), so instead the embedded IPv4 is extracted and
 * judged like any IPv4 address: `64:ff9b::a00:1` (10.0.0.1) is private, `64:ff9b::808:808` (8.8.8.8) is not.
 */

const PRIVATE_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including cloud metadata endpoints
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1 (documentation)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including broadcast
] as const) {
  PRIVATE_V4.addSubnet(network, prefix, 'ipv4');
}

// IPv6 ranges refused whatever follows the prefix. The embedding forms are NOT listed here: they are judged by
// the IPv4 they carry (embeddedIpv4 below).
const PRIVATE_V6 = new BlockList();
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and deprecated IPv4-compatible addresses
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): translates into the operator's own network
  ['100::', 64], // discard-only (RFC 6666)
  ['2001:2::', 48], // benchmarking
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
] as const) {
  PRIVATE_V6.addSubnet(network, prefix, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, documentation, multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE_V4.check(address, 'ipv4');
  if (family !== 6) return false;
  const groups = ipv6Groups(address);
  const embedded = embeddedIpv4(groups);
  if (embedded.length > 0) return embedded.some((v4) => PRIVATE_V4.check(v4, 'ipv4'));
  return PRIVATE_V6.check(address, 'ipv6');
}

/**
 * The host of `url` when it is a literal IP address that the policy refuses (`http://10.0.0.1/`,
 * `http://[64:ff9b::a00:1]/`), else null. Synchronous, no DNS: used when a message or a number is created, so
 * that such a URL is refused with Twilio's URL error at once instead of failing every webhook later. Host
 * names are checked only at call time (their addresses can change).
 */
export function literalPrivateHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) !== 0 && isPrivateAddress(host) ? host : null;
}

/**
 * The IPv4 addresses an IPv6 address leads to, for the forms that embed one; empty for any other address.
 * Teredo (2001:0::/32) names two: the server (bits 32-63) and the client's public address (bits 96-127, every bit
 * inverted); both must be public.
 */
export function embeddedIpv4(groups: readonly number[]): string[] {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUpTo = (n: number): boolean => groups.slice(0, n).every((g) => g === 0);
  // ::ffff:a.b.c.d, IPv4-mapped (RFC 4291)
  if (zeroUpTo(5) && g5 === 0xffff) return [ipv4(g6, g7)];
  // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765 / SIIT)
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return [ipv4(g6, g7)];
  // 64:ff9b::a.b.c.d, the well-known NAT64 prefix (RFC 6052)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return [ipv4(g6, g7)];
  // 2002:aabb:ccdd::, 6to4 (RFC 3056)
  if (g0 === 0x2002) return [ipv4(g1, g2)];
  // 2001:0:server:server:flags:port:client:client, Teredo (RFC 4380)
  if (g0 === 0x2001 && g1 === 0) return [ipv4(g2, g3), ipv4(g6 ^ 0xffff, g7 ^ 0xffff)];
  return [];
}

function ipv4(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The eight 16-bit groups of a valid IPv6 address (as `isIP` accepts it: `::`, a dotted IPv4 tail). */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const middle = new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0);
  return [...left, ...middle, ...right];
}
