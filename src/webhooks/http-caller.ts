import { CallDeadline } from './call-deadline.js';
import { nodeHttpTransport, type HttpExchange, type HttpTransport, type ResponseHead } from './http-transport.js';
import { checkWebhookUrl, WebhookUrlError, type UrlPolicyOptions } from './url-policy.js';
import { classifyHttpError, WEBHOOK_ERROR_CODES, type WebhookFailure } from './webhook-failure.js';
import { buildWebhookRequest, type WebhookMethod } from './webhook-request.js';

/**
 * One signed webhook call over node:http / node:https (http-transport.ts): no retries and no persistence (the
 * delivery worker decides those). Never throws: every failure is reported in the outcome with Twilio's error code.
 */

export interface CallWebhookOptions {
  url: string;
  method: WebhookMethod;
  params: Record<string, string>;
  authToken: string;
  /** Sent as `I-Twilio-Idempotency-Token`; keep it identical across retries of the same event. */
  idempotencyToken: string;
  /** Whole call, redirects and body included (Twilio: 15 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** Redirects followed before giving up with 11215 (default 5). 0 disables following. */
  maxRedirects?: number;
  /** Applied to the URL and to every redirect target. Default `{ allowPrivate: false }`. */
  urlPolicy?: UrlPolicyOptions;
  /** Aborts the call (e.g. on shutdown); reported as 11200. */
  signal?: AbortSignal;
  /** Default: node:http / node:https over shared keep-alive agents. */
  transport?: HttpTransport;
}

export interface WebhookOutcome {
  /** true for a 2xx answer whose body was read completely (up to the size limit). */
  ok: boolean;
  httpStatus: number | null;
  latencyMs: number;
  contentType: string | null;
  /** At most MAX_RESPONSE_BYTES + 1 bytes, decoded; one byte over the limit lets TwiML report 11750. */
  body: string;
  /** true when the server sent more than MAX_RESPONSE_BYTES; `body` then holds only the first limit + 1 bytes. */
  truncated: boolean;
  /** URL of the last request (after redirects, credentials removed): base for relative TwiML URLs. */
  finalUrl: string;
  errorCode: number | null;
  error: string | null;
  /** true when the URL policy refused the URL (or a redirect target): final, never worth a retry. */
  refused: boolean;
  /** X- headers of the answer (absent when there was none). */
  xHeaders?: Record<string, string>;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_REDIRECTS = 5;
export const MAX_RESPONSE_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type OutcomeWithoutLatency = Omit<WebhookOutcome, 'latencyMs'>;

function failed(finalUrl: string, failure: WebhookFailure, httpStatus: number | null = null): OutcomeWithoutLatency {
  const { errorCode, error, refused = false } = failure;
  return { ok: false, httpStatus, contentType: null, body: '', truncated: false, finalUrl, errorCode, error, refused };
}

export async function callWebhook(options: CallWebhookOptions): Promise<WebhookOutcome> {
  const started = performance.now();
  const deadline = new CallDeadline(options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS, options.signal);
  let outcome: OutcomeWithoutLatency;
  try {
    outcome = await attempt(options, deadline);
  } finally {
    deadline.dispose();
  }
  return { ...outcome, latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

async function attempt(options: CallWebhookOptions, deadline: CallDeadline): Promise<OutcomeWithoutLatency> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const policy = options.urlPolicy ?? { allowPrivate: false };
  const transport = options.transport ?? nodeHttpTransport;
  let url = options.url;
  let method = options.method;
  for (let redirects = 0; ; redirects += 1) {
    const refused = await checkPolicy(url, policy);
    if (refused) return failed(url, refused);
    const request = buildWebhookRequest({ ...options, url, method });
    // The deadline may have passed during the policy's DNS lookup: nothing is sent then.
    if (deadline.failure) return failed(request.url, deadline.failure);
    const exchange = transport(request);
    deadline.track(exchange);
    let head: ResponseHead;
    try {
      head = await exchange.head;
    } catch (error) {
      return failed(request.url, deadline.failure ?? classifyHttpError(error));
    }
    if (!REDIRECT_STATUSES.has(head.status) || head.location === null) {
      return readOutcome(request.url, head, exchange, deadline);
    }
    await exchange.discard();
    deadline.track(null);
    if (redirects >= maxRedirects) {
      const failure = { errorCode: WEBHOOK_ERROR_CODES.tooManyRedirects, error: `More than ${maxRedirects} redirects` };
      return failed(request.url, failure, head.status);
    }
    const next = resolveLocation(head.location, request.url);
    if (next === null) {
      const failure = { errorCode: WEBHOOK_ERROR_CODES.protocolViolation, error: `Invalid Location header "${head.location}"` };
      return failed(request.url, failure, head.status);
    }
    url = next;
    // 303 means "fetch the result with GET"; the other redirects repeat the same request at the new URL.
    if (head.status === 303) method = 'GET';
  }
}

function resolveLocation(location: string, base: string): string | null {
  try {
    return new URL(location, base).href;
  } catch {
    return null;
  }
}

async function checkPolicy(url: string, policy: UrlPolicyOptions): Promise<WebhookFailure | null> {
  try {
    await checkWebhookUrl(url, policy);
    return null;
  } catch (error) {
    if (error instanceof WebhookUrlError) return { errorCode: error.errorCode, error: error.message, refused: error.final };
    throw error;
  }
}

async function readOutcome(
  finalUrl: string,
  head: ResponseHead,
  exchange: HttpExchange,
  deadline: CallDeadline,
): Promise<OutcomeWithoutLatency> {
  const { status, contentType } = head;
  let bytes: Uint8Array;
  let truncated: boolean;
  try {
    ({ bytes, truncated } = await exchange.readBody(MAX_RESPONSE_BYTES + 1));
  } catch (error) {
    return { ...failed(finalUrl, deadline.failure ?? classifyHttpError(error), status), contentType };
  }
  const body = decodeBody(bytes, contentType);
  const base = { httpStatus: status, contentType, body, truncated, finalUrl, refused: false, xHeaders: head.xHeaders ?? {} };
  if (status >= 200 && status < 300) return { ok: true, ...base, errorCode: null, error: null };
  const isErrorStatus = status >= 400;
  return {
    ok: false,
    ...base,
    errorCode: isErrorStatus ? WEBHOOK_ERROR_CODES.errorResponse : WEBHOOK_ERROR_CODES.retrievalFailure,
    error: isErrorStatus ? `HTTP ${status}` : `Unexpected HTTP ${status}`,
  };
}

const UTF8 = new TextDecoder('utf-8');

function decodeBody(bytes: Uint8Array, contentType: string | null): string {
  if (bytes.byteLength === 0) return '';
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  if (/^utf-?8$/i.test(charset)) return UTF8.decode(bytes);
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the only sensible reading of XML without a valid declaration.
    return UTF8.decode(bytes);
  }
}
