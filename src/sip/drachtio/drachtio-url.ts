// Parsing of the drachtio-server address (the DRACHTIO_URL setting).
//
// Accepted forms:
//   drachtio://<secret>@<host>[:<port>]   secret in the user part (percent-encoded if it holds @ : / etc.)
//   drachtio://<host>[:<port>]            secret from the separate `secret` option
//   tcp://<host>:<port>                   likewise, secret from the `secret` option
// The port defaults to 9022 (drachtio-server's admin port) for `drachtio://`; `tcp://` must name it.
// TLS schemes are refused on purpose: drachtio-srf 5.x reconnects with plain TCP even after a TLS connect
// (spec sip-stack.md §3.5), so a "TLS" setting would silently downgrade after the first reconnect.
import type { SipListenAddress } from '../port.js';
import { SipTransportError } from './sip-transport-error.js';

export const DEFAULT_DRACHTIO_PORT = 9022;

export interface DrachtioEndpoint {
  host: string;
  port: number;
  secret: string;
}

export function parseDrachtioUrl(options: { url: string; secret?: string }): DrachtioEndpoint {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    throw new SipTransportError('INVALID_CONFIG', `drachtio URL is not a URL: ${JSON.stringify(options.url)}`, { cause });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'drachtio' && scheme !== 'tcp') {
    throw new SipTransportError('INVALID_CONFIG', `drachtio URL scheme must be drachtio: or tcp:, got ${scheme}:`);
  }
  if (url.hostname === '') throw new SipTransportError('INVALID_CONFIG', 'drachtio URL has no host');
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new SipTransportError('INVALID_CONFIG', `drachtio URL must not have a path, got ${url.pathname}`);
  }
  if (scheme === 'tcp' && url.port === '') throw new SipTransportError('INVALID_CONFIG', 'tcp:// drachtio URL needs a port');
  return { host: stripBrackets(url.hostname), port: portOf(url), secret: secretOf(url, options.secret) };
}

function portOf(url: URL): number {
  return url.port === '' ? DEFAULT_DRACHTIO_PORT : Number(url.port);
}

function secretOf(url: URL, optionSecret: string | undefined): string {
  if (url.password !== '') {
    throw new SipTransportError('INVALID_CONFIG', 'drachtio URL takes the secret as the user part (secret@host), not user:password');
  }
  const fromUrl = url.username === '' ? undefined : decodeURIComponent(url.username);
  if (fromUrl !== undefined && optionSecret !== undefined && fromUrl !== optionSecret) {
    throw new SipTransportError('INVALID_CONFIG', 'drachtio secret given both in the URL and as an option, and they differ');
  }
  const secret = fromUrl ?? optionSecret;
  // No default secret (house style): a missing one is a configuration error, not `cymru`.
  if (secret === undefined || secret === '') throw new SipTransportError('INVALID_CONFIG', 'drachtio secret is missing');
  if (secret.includes('|')) throw new SipTransportError('INVALID_CONFIG', 'drachtio secret must not contain "|"');
  return secret;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * drachtio-server's SIP listeners as reported in its `authenticate` OK frame, e.g.
 * `udp/127.0.0.1:5060,tcp/127.0.0.1:5060` (spec §3.6). Transports other than UDP/TCP (tls, wss) are left out
 * because the port only knows those two; malformed entries are skipped.
 */
export function parseServerHostports(hostports: string): SipListenAddress[] {
  const addresses: SipListenAddress[] = [];
  for (const entry of hostports.split(',')) {
    const match = /^(udp|tcp)\/(\[[^\]]+\]|[^:]+):(\d+)$/i.exec(entry.trim());
    if (match === null) continue;
    const [, transport = '', host = '', port = ''] = match;
    addresses.push({ transport: transport.toLowerCase() as 'udp' | 'tcp', host: stripBrackets(host), port: Number(port) });
  }
  return addresses;
}
