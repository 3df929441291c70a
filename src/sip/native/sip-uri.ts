// SIP URI and name-addr parsing: just enough of RFC 3261 §19.1 and §20.10 to route requests and read users/tags.

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string;
  /** Host without IPv6 brackets. */
  host: string;
  port: number | undefined;
  /** URI parameters, lower-cased names; a parameter without value maps to ''. */
  params: Record<string, string>;
}

const URI = /^(sips?):(?:([^@;?]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i;

/** Parses `sip:user@host:port;params`, throwing on anything else (tel: URIs included). */
export function parseSipUri(value: string): SipUri {
  const match = URI.exec(value.trim());
  if (!match) throw new Error(`Not a SIP URI: ${value}`);
  const port = match[4] === undefined ? undefined : Number(match[4]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`Bad port in SIP URI: ${value}`);
  return {
    scheme: match[1]!.toLowerCase() as 'sip' | 'sips',
    user: match[2] === undefined ? '' : decodeURIComponent(match[2]),
    host: match[3]!.replace(/^\[|\]$/g, ''),
    port,
    params: parseParams(match[5] ?? ''),
  };
}

export interface NameAddr {
  /** The URI inside `<...>`, or the bare addr-spec. */
  uri: string;
  /** Header parameters after the URI (e.g. `tag`), lower-cased names. */
  params: Record<string, string>;
}

/** Parses a From/To/Contact value: `"Name" <sip:a@b>;tag=x` or `sip:a@b;tag=x`. */
export function parseNameAddr(value: string): NameAddr {
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    if (close < 0) throw new Error(`Unterminated <URI> in ${value}`);
    return { uri: value.slice(open + 1, close).trim(), params: parseParams(value.slice(close + 1)) };
  }
  // Without angle brackets every ;parameter belongs to the header, not the URI (RFC 3261 §20.10).
  const semi = value.indexOf(';');
  if (semi < 0) return { uri: value.trim(), params: {} };
  return { uri: value.slice(0, semi).trim(), params: parseParams(value.slice(semi)) };
}

/** The user part of a name-addr's URI, or '' when there is none or the URI is not a SIP URI. */
export function userOf(nameAddr: string): string {
  try {
    return parseSipUri(parseNameAddr(nameAddr).uri).user;
  } catch {
    return '';
  }
}

export function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const part of text.split(';')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    params[name] = eq < 0 ? '' : trimmed.slice(eq + 1).trim();
  }
  return params;
}

/** Formats a host for a URI or Via: IPv6 literals get brackets. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
