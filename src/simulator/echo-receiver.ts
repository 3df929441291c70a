// A small customer application for the demo and the benchmark: it receives smsc-connect's webhooks, checks
// X-Twilio-Signature with the account's auth token, answers inbound SMS with TwiML
// `<Response><Message>Echo: {Body}</Message></Response>` (or an empty <Response/>), answers status callbacks
// 204, and counts everything (GET /stats, GET /requests).
// Cheap per request, because the bench measures the service and not this peer: no per-request log line (only at
// debug), headers looked up without building a header object, the arrival time kept as a number and formatted
// when /requests is read; the bench serves it on the minimal HTTP framing (`--lean-http`, http-helpers.ts).
import { timingSafeEqual } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { computeTwilioSignature, type SignedParams } from '../webhooks/signature.js';
import { jsonAnswer, localHttpServer, type HttpFraming, type PlainAnswer, type PlainRequest } from './http-helpers.js';

export interface EchoReceiverOptions {
  listen: { host: string; port: number };
  /** The account's auth token; when absent signatures are not checked (recorded as null). */
  authToken?: string;
  /** 'echo' (default): reply with a TwiML <Message>; 'none': an empty <Response/>. */
  reply?: 'echo' | 'none';
  /** The base URL smsc-connect calls (e.g. behind a proxy); by default http://<Host header>. */
  publicBaseUrl?: string;
  /** 'node' (default) or 'minimal' (the bench's `--lean-http`, see http-helpers.ts). */
  framing?: HttpFraming;
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

/**
 * What the log keeps per request: the arrival time as epoch ms and the form body as text, turned into an
 * EchoRequest only when the log is read. A few thousand requests with their parameters as objects kept the
 * garbage collector busy copying them; one string each costs nearly nothing.
 */
interface LoggedRequest {
  receivedAtMs: number;
  method: string;
  url: string;
  kind: EchoRequest['kind'];
  /** The POST body; null for GET (the parameters are in the URL). */
  form: string | null;
  signatureValid: boolean | null;
  status: number;
}

export function createEchoReceiver(options: EchoReceiverOptions): EchoReceiver {
  const logger = (options.logger ?? pino({ enabled: false })).child({ component: 'echo-receiver' });
  const debug = logger.isLevelEnabled('debug');
  const log: LoggedRequest[] = [];
  const exported = (): EchoRequest[] => log.map((entry) => ({
    receivedAt: new Date(entry.receivedAtMs).toISOString(), method: entry.method, url: entry.url, kind: entry.kind,
    params: paramsOf(entry.form, entry.url), signatureValid: entry.signatureValid, status: entry.status,
  }));
  const stats: EchoStats = { requests: 0, inbound: 0, statusCallbacks: 0, invalidSignatures: 0, statuses: {} };

  const handler = (request: PlainRequest): PlainAnswer => {
    const path = request.url.split('?')[0];
    if (request.method === 'GET' && path === '/stats') return jsonAnswer(200, stats);
    if (request.method === 'GET' && path === '/requests') return jsonAnswer(200, exported());
    const { entry, params } = inspect({ request, options });
    stats.requests += 1;
    if (entry.signatureValid === false) {
      stats.invalidSignatures += 1;
      entry.status = 403;
    } else if (entry.kind === 'status-callback') {
      stats.statusCallbacks += 1;
      const status = String(params.MessageStatus);
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      entry.status = 204;
    } else {
      stats.inbound += 1;
      entry.status = 200;
    }
    log.push(entry);
    if (debug) logger.debug({ kind: entry.kind, status: entry.status, messageSid: params.MessageSid, signatureValid: entry.signatureValid }, 'webhook received');
    return answer(entry, params, options.reply ?? 'echo');
  };

  return {
    ...localHttpServer({ listen: options.listen, handler, framing: options.framing }),
    stats: () => structuredClone(stats),
    requests: () => structuredClone(exported()),
  };
}

function inspect(input: { request: PlainRequest; options: EchoReceiverOptions }): { entry: LoggedRequest; params: Record<string, string | string[]> } {
  const { request, options } = input;
  const receivedAtMs = Date.now();
  const url = `${options.publicBaseUrl ?? `http://${request.header('host') ?? 'localhost'}`}${request.url}`;
  const isPost = request.method === 'POST';
  const form = isPost ? request.body.toString('utf8') : null;
  const params = paramsOf(form, url);
  // GET webhooks are signed over the full URL with no separate parameters (see webhooks/signature.ts).
  const signed: SignedParams = isPost ? params : {};
  const given = request.header('x-twilio-signature');
  const signatureValid = options.authToken === undefined
    ? null
    : typeof given === 'string' && sameText(given, computeTwilioSignature({ authToken: options.authToken, url, params: signed }));
  const kind = params.MessageStatus !== undefined ? 'status-callback' : 'inbound';
  return { entry: { receivedAtMs, method: request.method, url, kind, form, signatureValid, status: 0 }, params };
}

/** The webhook's parameters: the form body of a POST, the query string of a GET; repeated keys as arrays. */
function paramsOf(form: string | null, url: string): Record<string, string | string[]> {
  const source = form !== null ? new URLSearchParams(form) : new URL(url).searchParams;
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of source) {
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const TWIML_HEADERS = { 'content-type': 'text/xml; charset=utf-8' };

function answer(entry: LoggedRequest, params: Record<string, string | string[]>, reply: 'echo' | 'none'): PlainAnswer {
  if (entry.status === 403) return jsonAnswer(403, { error: 'Invalid X-Twilio-Signature' });
  if (entry.status === 204) return { status: 204 };
  if (reply === 'none') return { status: 200, headers: TWIML_HEADERS, body: EMPTY_TWIML };
  const text = String(params.Body ?? '');
  return { status: 200, headers: TWIML_HEADERS, body: `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Echo: ${escapeXml(text)}</Message></Response>` };
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
