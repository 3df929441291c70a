// Parses the listen configuration string, e.g. `udp:127.0.0.1:5070,tcp:[::1]:5070`.
import { isIP } from 'node:net';
import type { SipListenAddress } from '../port.js';

const ENTRY = /^(udp|tcp):(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/i;

export function parseSipListen(value: string): SipListenAddress[] {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('SIP listen list is empty; expected e.g. "udp:127.0.0.1:5060"');
  return entries.map((entry) => {
    const match = ENTRY.exec(entry);
    if (!match) throw new Error(`Bad SIP listen address "${entry}"; expected <udp|tcp>:<ip>:<port>`);
    const host = match[2]!.replace(/^\[|\]$/g, '');
    const port = Number(match[3]);
    if (isIP(host) === 0) throw new Error(`Bad SIP listen address "${entry}": "${host}" is not an IP address`);
    if (port > 65535) throw new Error(`Bad SIP listen address "${entry}": port ${port} is out of range`);
    return { transport: match[1]!.toLowerCase() as 'udp' | 'tcp', host, port };
  });
}

export function formatSipListen(address: SipListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.transport}:${host}:${address.port}`;
}
