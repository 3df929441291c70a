// Requests shaped like twilio-node 6's: form-encoded with qs (RFC 3986: space is %20, and !'()* are escaped,
// unlike URLSearchParams), parameters in the SDK's order, and the SDK's headers with Basic auth.
import { arch, platform } from 'node:os';

export interface Credentials {
  accountSid: string;
  authToken: string;
}

export function twilioForm(params: Array<[string, string]>): string {
  return params.map(([key, value]) => `${qsEncode(key)}=${qsEncode(value)}`).join('&');
}

// The headers that do not change between requests, built once per credentials (the load generator's own CPU
// counts against the same 2 cores as the service's).
const fixedHeaders = new WeakMap<Credentials, Record<string, string>>();

export function twilioHeaders(credentials: Credentials, body: string | null): Record<string, string> {
  let fixed = fixedHeaders.get(credentials);
  if (fixed === undefined) {
    fixed = {
      'User-Agent': `twilio-node/6.2.0 (${platform()} ${arch()}) node/${process.version}`,
      'Accept-Charset': 'utf-8',
      Accept: 'application/json',
      Connection: 'keep-alive',
      Authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`,
    };
    fixedHeaders.set(credentials, fixed);
  }
  if (body === null) return { ...fixed };
  return { ...fixed, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) };
}

/** The form of `client.messages.create({ to, from, body, statusCallback })`, in twilio-node's key order. */
export function createMessageForm(message: { to: string; from: string; body: string; statusCallback: string }): string {
  return twilioForm([
    ['To', message.to],
    ['StatusCallback', message.statusCallback],
    ['From', message.from],
    ['Body', message.body],
  ]);
}

function qsEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
