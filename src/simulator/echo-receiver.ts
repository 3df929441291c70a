// A small customer application for the demo and the benchmark: it receives smsc-connect's webhooks, checks
// X-Twilio-Signature with the account's auth token, answers inbound SMS with TwiML
// `<Response><Message>Echo: {Body}</Message></Response>` (or an empty <Response/>), answers status callbacks
// 204, and counts everything (GET /stats, GET /requests).
// Cheap per request, because the bench measures the service and not this peer: no per-request log line (only at
// debug), headers read from rawHeaders, the arrival time kept as a number and formatted when /requests is read.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { computeTwilioSignature, type SignedParams } from '../webhooks/signature.js';
import { localHttpServer, readBody, sendJson } from './http-helpers.js';

export interface EchoReceiverOptions {
  listen: { host: string; port: number };
  /** The account's auth token; when absent signatures are not checked (recorded as null). */
  authToken?: string;
  /** 'echo' (default): reply with a TwiML <Message>; 'none': an empty <Response/>. */
  reply?: 'echo' | 'none';
  /** The base URL smsc-connect calls (e.g. behind a proxy); by default http://<Host header>. */
  publicBaseUrl?: string;
  logger?: Logger;
}

export interface EchoRequest {
  receivedAt: string;
  method: string;
  url: string;
  kind: 'inbound' | 'status-callback';
  params: Record<string, string | string[]>;
  /** true/false when an auth token is configured, null otherwise. */
  signatureValid: boolean | null;
  status: number;
}

export interface EchoStats {
  requests: number;
  inbound: number;
  statusCallbacks: number;
  invalidSignatures: number;
  /** Status callbacks by MessageStatus. */
  statuses: Record<string, number>;
}

export interface EchoReceiver {
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
  stats(): EchoStats;
  requests(): EchoRequest[];
}

/** What the log keeps per request: the arrival time as epoch ms (formatted only when the log is read). */
type LoggedRequest = Omit<EchoRequest, 'receivedAt'> & { receivedAtMs: number };

export function createEchoReceiver(options: EchoReceiverOptions): EchoReceiver {
  const logger = (options.logger ?? pino({ enabled: false })).child({ component: 'echo-receiver' });
  const debug = logger.isLevelEnabled('debug');
  const log: LoggedRequest[] = [];
  const exported = (): EchoRequest[] => log.map(({ receivedAtMs, ...entry }) => ({ receivedAt: new Date(receivedAtMs).toISOString(), ...entry }));
  const stats: EchoStats = { requests: 0, inbound: 0, statusCallbacks: 0, invalidSignatures: 0, statuses: {} };

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/stats') return sendJson(response, 200, stats);
    if (request.method === 'GET' && path === '/requests') return sendJson(response, 200, exported());
    const body = await readBody(request);
    const entry = inspect({ request, body, options });
    stats.requests += 1;
    if (entry.signatureValid === false) {
      stats.invalidSignatures += 1;
      entry.status = 403;
    } else if (entry.kind === 'status-callback') {
      stats.statusCallbacks += 1;
      const status = String(entry.params.MessageStatus);
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      entry.status = 204;
    } else {
      stats.inbound += 1;
      entry.status = 200;
    }
    log.push(entry);
    if (debug) logger.debug({ kind: entry.kind, status: entry.status, messageSid: entry.params.MessageSid, signatureValid: entry.signatureValid }, 'webhook received');
    respond(response, entry, options.reply ?? 'echo');
  };

  return {
    ...localHttpServer({ listen: options.listen, handler }),
    stats: () => structuredClone(stats),
    requests: () => structuredClone(exported()),
  };
}

function inspect(input: { request: IncomingMessage; body: Buffer; options: EchoReceiverOptions }): LoggedRequest {
  const { request, body, options } = input;
  const receivedAtMs = Date.now();
  const url = `${options.publicBaseUrl ?? `http://${rawHeader(request, 'host') ?? 'localhost'}`}${request.url ?? '/'}`;
  const isPost = request.method === 'POST';
  const source = isPost ? new URLSearchParams(body.toString('utf8')) : new URL(url).searchParams;
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of source) {
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  // GET webhooks are signed over the full URL with no separate parameters (see webhooks/signature.ts).
  const signed: SignedParams = isPost ? params : {};
  const given = rawHeader(request, 'x-twilio-signature');
  const signatureValid = options.authToken === undefined
    ? null
    : typeof given === 'string' && sameText(given, computeTwilioSignature({ authToken: options.authToken, url, params: signed }));
  const kind = params.MessageStatus !== undefined ? 'status-callback' : 'inbound';
  return { receivedAtMs, method: request.method ?? '', url, kind, params, signatureValid, status: 0 };
}

/**
 * The first value of a header, from rawHeaders (request.headers builds an object of every header on first use).
 * Like request.headers, a repeated header's first value is taken for `host`; for other single-value headers
 * node joins duplicates with ", ", which a signature comparison would reject anyway.
 */
function rawHeader(request: IncomingMessage, lowerName: string): string | undefined {
  const raw = request.rawHeaders;
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    if (found === undefined) found = raw[i + 1];
    else if (lowerName !== 'host') found = `${found}, ${raw[i + 1]}`;
  }
  return found;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const EMPTY_TWIML_LENGTH = String(Buffer.byteLength(EMPTY_TWIML));

function respond(response: ServerResponse, entry: LoggedRequest, reply: 'echo' | 'none'): void {
  if (entry.status === 403) return sendJson(response, 403, { error: 'Invalid X-Twilio-Signature' });
  if (entry.status === 204) {
    response.writeHead(204);
    response.end();
    return;
  }
  if (reply === 'none') {
    response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': EMPTY_TWIML_LENGTH });
    response.end(EMPTY_TWIML);
    return;
  }
  const text = String(entry.params.Body ?? '');
  const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Echo: ${escapeXml(text)}</Message></Response>`;
  response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(twiml) });
  response.end(twiml);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function escapeXml(text: string): string {
  if (!/[&<>"']/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
