import { computeTwilioSignature } from './signature.js';
import { WebhookUrlError } from './url-policy.js';

/**
 * Builds the exact HTTP request for one webhook call (pure, so the wire format is unit-testable):
 * - POST: the params form-encoded in the body; signed over the URL (query string kept) + params;
 * - GET: the params appended to the URL's existing query string; signed over that full URL alone.
 *
 * The URL signed is the URL put on the wire: the configured URL after WHATWG normalisation, which the HTTP
 * client applies anyway as it parses the URL (e.g. `'` in a query becomes `%27`). Signing anything else would
 * make the request fail a receiver that validates the URL as received (twilio-node's `validateExpressRequest`);
 * a receiver that validates its configured string still passes, because twilio-node also tries the normalised
 * form. For already-canonical URLs (the usual case) the two are identical. Two parts are removed, as the
 * receiver never sees them: a `#fragment` (Twilio's connection-override syntax, not implemented here) and
 * `user:password@` credentials, which are sent as HTTP Basic auth instead (they are not in the request line,
 * so they cannot be part of the URL the receiver validates).
 */

export type WebhookMethod = 'GET' | 'POST';

export const DEFAULT_WEBHOOK_USER_AGENT = 'TwilioProxy/1.1';
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

export interface WebhookRequest {
  /** The URL requested, which is also the URL the signature covers. */
  url: string;
  method: WebhookMethod;
  headers: Record<string, string>;
  body?: string;
  signature: string;
}

export interface BuildWebhookRequestOptions {
  url: string;
  method: WebhookMethod;
  params: Record<string, string>;
  authToken: string;
  idempotencyToken: string;
  userAgent?: string;
}

/** The wire URL (normalised, no fragment, no credentials) and the decoded credentials, if any. */
export function splitWebhookUrl(url: string): { url: string; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError('invalid_url', `Not a valid URL: "${url}"`);
  }
  parsed.hash = '';
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (username === '' && password === '') return { url: parsed.href };
  return { url: parsed.href, username, password };
}

/** Appends an encoded query to a URL that may already have one, keeping the existing query intact. */
export function appendQuery(url: string, query: string): string {
  if (query === '') return url;
  if (!url.includes('?')) return `${url}?${query}`;
  return url.endsWith('?') || url.endsWith('&') ? url + query : `${url}&${query}`;
}

export function buildWebhookRequest(options: BuildWebhookRequestOptions): WebhookRequest {
  const target = splitWebhookUrl(options.url);
  const encoded = new URLSearchParams(options.params).toString();
  const headers: Record<string, string> = {
    accept: '*/*',
    'user-agent': options.userAgent ?? DEFAULT_WEBHOOK_USER_AGENT,
    'i-twilio-idempotency-token': options.idempotencyToken,
  };
  if (target.username !== undefined) {
    const credentials = Buffer.from(`${target.username}:${target.password ?? ''}`, 'utf8').toString('base64');
    headers.authorization = `Basic ${credentials}`;
  }
  if (options.method === 'GET') {
    const url = appendQuery(target.url, encoded);
    const signature = computeTwilioSignature({ authToken: options.authToken, url, params: {} });
    return { url, method: 'GET', headers: { ...headers, 'x-twilio-signature': signature }, signature };
  }
  const signature = computeTwilioSignature({ authToken: options.authToken, url: target.url, params: options.params });
  headers['content-type'] = FORM_CONTENT_TYPE;
  headers['x-twilio-signature'] = signature;
  return { url: target.url, method: 'POST', headers, body: encoded, signature };
}
