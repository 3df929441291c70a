// A small customer application for the demo and the benchmark: it receives smsc-connect's webhooks, checks
// X-Twilio-Signature with the account's auth token, answers inbound SMS with TwiML
// `<Response><Message>Echo: {Body}</Message></Response>` (or an empty <Response/>), answers status callbacks
// 204, and counts everything (GET /stats, GET /requests).
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

export function createEchoReceiver(options: EchoReceiverOptions): EchoReceiver {
  const logger = (options.logger ?? pino({ enabled: false })).child({ component: 'echo-receiver' });
  const log: EchoRequest[] = [];
  const stats: EchoStats = { requests: 0, inbound: 0, statusCallbacks: 0, invalidSignatures: 0, statuses: {} };

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/stats') return sendJson(response, 200, stats);
    if (request.method === 'GET' && path === '/requests') return sendJson(response, 200, log);
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
    logger.info({ kind: entry.kind, status: entry.status, messageSid: entry.params.MessageSid, signatureValid: entry.signatureValid }, 'webhook received');
    respond(response, entry, options.reply ?? 'echo');
  };

  return {
    ...localHttpServer({ listen: options.listen, handler }),
    stats: () => structuredClone(stats),
    requests: () => structuredClone(log),
  };
}

function inspect(input: { request: IncomingMessage; body: Buffer; options: EchoReceiverOptions }): EchoRequest {
  const { request, body, options } = input;
  const url = `${options.publicBaseUrl ?? `http://${request.headers.host ?? 'localhost'}`}${request.url ?? '/'}`;
  const isPost = request.method === 'POST';
  const source = isPost ? new URLSearchParams(body.toString('utf8')) : new URL(url).searchParams;
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of source) {
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  // GET webhooks are signed over the full URL with no separate parameters (see webhooks/signature.ts).
  const signed: SignedParams = isPost ? params : {};
  const given = request.headers['x-twilio-signature'];
  const signatureValid = options.authToken === undefined
    ? null
    : typeof given === 'string' && sameText(given, computeTwilioSignature({ authToken: options.authToken, url, params: signed }));
  const kind = params.MessageStatus !== undefined ? 'status-callback' : 'inbound';
  return { receivedAt: new Date().toISOString(), method: request.method ?? '', url, kind, params, signatureValid, status: 0 };
}

function respond(response: ServerResponse, entry: EchoRequest, reply: 'echo' | 'none'): void {
  if (entry.status === 403) return sendJson(response, 403, { error: 'Invalid X-Twilio-Signature' });
  if (entry.status === 204) {
    response.writeHead(204);
    response.end();
    return;
  }
  const text = String(entry.params.Body ?? '');
  const twiml = reply === 'echo'
    ? `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Echo: ${escapeXml(text)}</Message></Response>`
    : '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(twiml) });
  response.end(twiml);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
