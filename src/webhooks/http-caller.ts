import { checkWebhookUrl, WebhookUrlError, type UrlPolicyOptions } from './url-policy.js';
import { classifyFetchError, WEBHOOK_ERROR_CODES, type WebhookFailure } from './webhook-failure.js';
import { buildWebhookRequest, type WebhookMethod } from './webhook-request.js';

/**
 * One signed webhook call over Node's global fetch: no retries and no persistence (the delivery worker decides
 * those). Never throws: every failure is reported in the outcome with Twilio's error code.
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
  fetchImpl?: typeof fetch;
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
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_REDIRECTS = 5;
export const MAX_RESPONSE_BYTES = 64 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type OutcomeWithoutLatency = Omit<WebhookOutcome, 'latencyMs'>;

function failed(finalUrl: string, failure: WebhookFailure, httpStatus: number | null = null): OutcomeWithoutLatency {
  return { ok: false, httpStatus, contentType: null, body: '', truncated: false, finalUrl, ...failure };
}

export async function callWebhook(options: CallWebhookOptions): Promise<WebhookOutcome> {
  const started = performance.now();
  const outcome = await attempt(options);
  return { ...outcome, latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

async function attempt(options: CallWebhookOptions): Promise<OutcomeWithoutLatency> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const fetchImpl = options.fetchImpl ?? fetch;
  let url = options.url;
  let method = options.method;
  for (let redirects = 0; ; redirects += 1) {
    const refused = await checkPolicy(url, options.urlPolicy ?? { allowPrivate: false });
    if (refused) return failed(url, refused);
    const request = buildWebhookRequest({ ...options, url, method });
    let response: Response;
    try {
      const init = { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' as const, signal };
      response = await fetchImpl(request.url, init);
    } catch (error) {
      return failed(request.url, classifyFetchError(error, timeoutMs));
    }
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return readOutcome(request.url, response, timeoutMs);
    await response.body?.cancel().catch(() => undefined);
    if (redirects >= maxRedirects) {
      const failure = { errorCode: WEBHOOK_ERROR_CODES.tooManyRedirects, error: `More than ${maxRedirects} redirects` };
      return failed(request.url, failure, response.status);
    }
    const next = resolveLocation(location, request.url);
    if (next === null) {
      const failure = { errorCode: WEBHOOK_ERROR_CODES.protocolViolation, error: `Invalid Location header "${location}"` };
      return failed(request.url, failure, response.status);
    }
    url = next;
    // 303 means "fetch the result with GET"; the other redirects repeat the same request at the new URL.
    if (response.status === 303) method = 'GET';
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
    if (error instanceof WebhookUrlError) return { errorCode: error.errorCode, error: error.message };
    throw error;
  }
}

async function readOutcome(finalUrl: string, response: Response, timeoutMs: number): Promise<OutcomeWithoutLatency> {
  const contentType = response.headers.get('content-type');
  let bytes: Uint8Array;
  let truncated: boolean;
  try {
    ({ bytes, truncated } = await readLimited(response.body, MAX_RESPONSE_BYTES + 1));
  } catch (error) {
    return { ...failed(finalUrl, classifyFetchError(error, timeoutMs), response.status), contentType };
  }
  const body = decodeBody(bytes, contentType);
  const base = { httpStatus: response.status, contentType, body, truncated, finalUrl };
  if (response.status >= 200 && response.status < 300) return { ok: true, ...base, errorCode: null, error: null };
  const isErrorStatus = response.status >= 400;
  return {
    ok: false,
    ...base,
    errorCode: isErrorStatus ? WEBHOOK_ERROR_CODES.errorResponse : WEBHOOK_ERROR_CODES.retrievalFailure,
    error: isErrorStatus ? `HTTP ${response.status}` : `Unexpected HTTP ${response.status}`,
  };
}

/** Reads at most `limit` bytes, then cancels the stream so a huge answer cannot exhaust memory. */
async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (stream === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total >= limit) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const bytes = Buffer.concat(chunks, total).subarray(0, limit);
  return { bytes, truncated: total >= limit };
}

function decodeBody(bytes: Uint8Array, contentType: string | null): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the only sensible reading of XML without a valid declaration.
    return new TextDecoder('utf-8').decode(bytes);
  }
}
