import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from './address-ranges.js';

export { isPrivateAddress, literalPrivateHost } from './address-ranges.js';

/**
 * Which URLs we are willing to call. Webhook URLs are chosen by customers, so without this an account could
 * make the gateway probe its own network (SSRF). Two checks:
 * - `isValidCallbackUrl`: synchronous shape check for API validation (Twilio's StatusCallback rule);
 * - `checkWebhookUrl`: the full check right before calling, including DNS resolution.
 *
 * Residual risk: the HTTP client resolves the name again, so a DNS answer that changes between the check and
 * the call (rebinding) is not caught here; deployments that need that guarantee should egress via a proxy.
 */

export type WebhookUrlProblem = 'invalid_url' | 'unsupported_scheme' | 'private_address' | 'unresolvable_host';

export class WebhookUrlError extends Error {
  readonly reason: WebhookUrlProblem;
  /** Twilio code to record when a call is refused: 11100 invalid URL format, 11210 bad host. */
  readonly errorCode: number;
  /**
   * A refusal by policy (bad URL, private address): retrying cannot change it, so the delivery fails at once.
   * A host that does not resolve is not final: DNS failures are often temporary.
   */
  readonly final: boolean;

  constructor(reason: WebhookUrlProblem, message: string) {
    super(message);
    this.name = 'WebhookUrlError';
    this.reason = reason;
    this.errorCode = reason === 'invalid_url' || reason === 'unsupported_scheme' ? 11100 : 11210;
    this.final = reason !== 'unresolvable_host';
  }
}

export interface LookupAddress {
  address: string;
  family: number;
}

/** Same shape as `dns.promises.lookup(hostname, { all: true })`, injectable for tests. */
export type LookupAll = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

export interface UrlPolicyOptions {
  /** true only for development and tests: allows loopback and private networks. */
  allowPrivate: boolean;
  lookup?: LookupAll;
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError('invalid_url', `Not a valid URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookUrlError('unsupported_scheme', `Only http and https URLs can be called, not "${parsed.protocol}"`);
  }
  if (parsed.hostname === '') throw new WebhookUrlError('invalid_url', `URL has no host: "${url}"`);
  return parsed;
}

/**
 * Synchronous shape check used when a URL is stored (StatusCallback, SmsUrl ...): http or https, a host, and no
 * underscore in the host name (Twilio rejects those for StatusCallback).
 */
export function isValidCallbackUrl(url: string): boolean {
  try {
    const parsed = parseHttpUrl(url);
    return !parsed.hostname.includes('_');
  } catch {
    return false;
  }
}

/**
 * Throws `WebhookUrlError` unless `url` may be called. With `allowPrivate: false`, literal IPs and every address
 * the host name resolves to must be public.
 */
export async function checkWebhookUrl(url: string, options: UrlPolicyOptions): Promise<void> {
  const parsed = parseHttpUrl(url);
  if (options.allowPrivate) return;
  // The WHATWG parser has already normalised 0x7f.1, 2130706433 etc. to dotted IPv4; IPv6 keeps its brackets.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw new WebhookUrlError('private_address', `Refusing to call private address ${host}`);
    return;
  }
  const lookup: LookupAll = options.lookup ?? ((hostname) => dnsLookup(hostname, { all: true, verbatim: true }));
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WebhookUrlError('unresolvable_host', `Cannot resolve ${host}: ${detail}`);
  }
  if (addresses.length === 0) throw new WebhookUrlError('unresolvable_host', `${host} resolves to no address`);
  const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
  if (blocked) {
    throw new WebhookUrlError('private_address', `Refusing to call ${host}: it resolves to private address ${blocked.address}`);
  }
}
